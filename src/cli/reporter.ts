/**
 * One reporter interface, two faces: a human one (progress bar on a terminal's stderr, summary on
 * stdout) and a --json one (newline-delimited events on stdout). Commands never print directly.
 */
import type { ErrorInfo } from '../shared/errors.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { ConvertReport } from '../shared/report.js';
import { printable } from './printable.js';
import { cliWords } from './flag-words.js';

/** Damaged files named in the summary; the manifest lists them all. */
const shownDamaged = 10;

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Reporter {
  progress(event: ProgressEvent): void;
  notice(message: string): void;
  report(report: ConvertReport): void;
  /** Any other command's result: printed as text, or as one JSON line. */
  result(text: string, data: unknown): void;
  error(info: ErrorInfo, showStack: boolean): void;
}

export function jsonReporter(stdout: Stream): Reporter {
  const line = (type: string, data: unknown) => stdout.write(JSON.stringify({ type, ...(data as object) }) + '\n');
  return {
    progress: (event) => line('progress', event),
    notice: (message) => line('notice', { message }),
    report: (report) => line('report', report),
    result: (_text, data) => line('result', { data }),
    error: (info) => line('error', { error: info }),
  };
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function humanReporter(stdout: Stream, stderr: Stream, quiet: boolean): Reporter {
  const bar = !quiet && stderr.isTTY === true;
  let barShown = false;
  const clearBar = () => {
    if (barShown) stderr.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    progress(e) {
      if (bar && e.phase === 'scan' && e.membersFound !== undefined) {
        const pct = e.total > 0 ? Math.floor((e.done / e.total) * 100) : 100;
        stderr.write(`\r\x1b[2K${printable(`Listing ${e.file ?? 'the archive'}`)}: ${pct}% (${formatBytes(e.done)} of ${formatBytes(e.total)}), ${e.membersFound} members`);
        barShown = true;
        return;
      }
      if (!bar || e.phase !== 'decode') return;
      const width = Math.max(10, Math.min(30, (stderr.columns ?? 80) - 60));
      const frac = e.total > 0 ? e.done / e.total : 0;
      const filled = Math.round(frac * width);
      const eta = e.etaSeconds === null ? '' : ` ETA ${Math.ceil(e.etaSeconds)}s`;
      const skipped = e.skipped ? ` skipped ${e.skipped}` : '';
      stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(frac * 100)}% ${e.done}/${e.total} ${e.imagesPerSecond} img/s${eta}${skipped}`);
      barShown = true;
    },
    notice(message) {
      clearBar();
      stderr.write(`${printable(cliWords(message), true)}\n`);
    },
    report(r) {
      clearBar();
      const lines = [`Converted ${r.shape[0]} images from ${r.input}${r.backend === 'none' ? '' : ` on the ${r.backendDetail} backend`} at ${r.imagesPerSecond} img/s`];
      if (r.seed !== null) lines.push(`Seed: ${r.seed}`);
      for (const o of r.outputs) {
        lines.push(`${o.subset === 'all' ? 'Output' : `Split ${o.subset}`}: ${o.files.length > 1 ? `${o.files.length} shards, ${o.files[0]} ...` : o.path} (${formatBytes(o.bytes)})`);
        for (const a of o.arrays) lines.push(`  ${a.name.padEnd(12)} ${`(${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''})`.padEnd(24)} ${a.descr}`);
      }
      lines.push(`Classes: ${r.classNames.map((c) => `${c} (${r.countsPerClass[c]})`).join(', ')}`);
      if (r.emptyClasses.length) lines.push(`Empty classes (kept their index): ${r.emptyClasses.join(', ')}`);
      for (const n of r.notExact) lines.push(`Not exact: ${n}`);
      if (r.skipped.length) {
        lines.push(`Skipped ${r.skipped.length} file(s):`);
        for (const s of r.skipped) lines.push(`  ${s.file}: ${cliWords(s.reason)}`);
      }
      if (r.damaged?.length) {
        lines.push(`Kept ${r.damaged.length} damaged file(s) (--allow-damaged; listed in the manifest):`);
        for (const d of r.damaged.slice(0, shownDamaged)) lines.push(`  ${d.file}: ${d.reason}`);
        if (r.damaged.length > shownDamaged) lines.push(`  ... and ${r.damaged.length - shownDamaged} more`);
      }
      lines.push(`Manifest: ${r.manifest}`);
      stdout.write(lines.map((l) => printable(l)).join('\n') + '\n');
    },
    result(text) {
      const shown = printable(text, true);
      stdout.write(shown.endsWith('\n') ? shown : shown + '\n');
    },
    error(info, showStack) {
      clearBar();
      const text = `img2npy: ${info.message}${info.file && !info.message.includes(info.file) ? ` (${info.file})` : ''}`;
      stderr.write(`${printable(text, true)}\n`);
      if (showStack && info.stack) stderr.write(`${info.stack}\n`);
    },
  };
}
