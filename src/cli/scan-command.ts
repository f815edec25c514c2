/**
 * `img2npy scan <folder> [options]`: the dry run. Layout, counts, formats, what would be skipped
 * and why, the final shape and bytes for the given options; reads headers only, writes nothing.
 */
import { dryRun } from '../core/index.js';
import { Img2npyError } from '../shared/errors.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { DryRunReport } from '../shared/report.js';
import type { CommandContext } from './context.js';
import { optionLayers } from './convert-command.js';

/**
 * File and class names come from the disk: a name holding ESC or a newline must not move the
 * cursor or forge a line, so control characters are shown as escapes.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]} (${n.toLocaleString('en-US')} bytes)`;
}

/** The layout the scan detected (split folders, metadata file, archive...). */
function layoutLine(r: DryRunReport): string {
  const layout = r.summary.layout;
  const kind = (layout?.kind ?? 'class-folders').replace(/-/g, ' ');
  const from = [layout?.archive && `archive ${layout.archive}`, layout?.labelsFile && `labels from ${layout.labelsFile}`].filter(Boolean).join(', ');
  return `Layout: ${kind}${from ? ` (${from})` : ''}`;
}

function text(r: DryRunReport): string {
  const s = r.summary;
  const lines = [`Scanned ${s.root}: ${s.total} image(s) found; nothing was decoded beyond headers or written`, layoutLine(r)];
  const splits = s.layout?.splits ?? [];
  if (splits.length) lines.push(`Splits: ${splits.map((sp) => `${sp.name} (${sp.total})`).join(', ')}`);
  if (s.classNames.length) lines.push(`Classes: ${s.classNames.map((c) => `${c} (${s.countsPerClass[c]})`).join(', ')}`);
  if (s.emptyClasses.length) lines.push(`Empty classes (kept their index): ${s.emptyClasses.join(', ')}`);
  const formats = Object.entries(s.formats).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (formats.length) lines.push(`Formats: ${formats.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  if (r.largest) lines.push(`Largest image: ${r.largest.height}x${r.largest.width} (HxW)`);
  const skipped = [...s.ignored, ...r.skipped];
  lines.push(`Would skip ${skipped.length} file(s)${r.skipped.length ? ` (${r.skipped.length} by the header probe of ${r.probed})` : ''}${skipped.length ? ':' : ''}`);
  for (const f of skipped) lines.push(`  ${f.file}: ${f.reason}`);
  if (r.shape) {
    lines.push(`x: (${r.shape.join(', ')}) ${r.dtype} ${r.layout}`);
    for (const o of r.outputs) {
      const name = o.subset === 'all' ? 'Output' : `Split ${o.subset}`;
      const to = o.path === null ? '' : ` → ${o.shards > 1 ? `${o.files![0]} ...` : o.path}`;
      lines.push(`${name}: ${o.samples} sample(s)${o.shards > 1 ? ` in ${o.shards} shards` : ''}, ${r.format}, ${formatBytes(o.bytes!)}${to}`);
    }
    lines.push(`Total: ${formatBytes(r.bytes!)} without --compress`);
  }
  for (const n of r.notExact) lines.push(`Not exact: ${n}`);
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  return lines.map(printable).join('\n');
}

export async function scanCommand(ctx: CommandContext): Promise<number> {
  const { args, io, reporter } = ctx;
  const [input, ...extra] = args.positionals;
  if (!input) throw new Img2npyError('invalid-option', 'Expected an input folder: img2npy scan <folder> [options]', { option: 'input' });
  if (extra.length) throw new Img2npyError('invalid-option', `Unexpected argument "${extra[0]}"; give one input folder`, { option: 'input' });
  if (args.shell.overwrite) throw new Img2npyError('invalid-option', 'scan writes nothing: --overwrite belongs to convert', { option: 'overwrite' });
  const options = await optionLayers(ctx);
  // Listing progress on a terminal only: --json prints one document, the result.
  const onProgress = args.shell.json ? undefined : (e: ProgressEvent) => reporter.progress(e);
  const report = await dryRun(input, options, { signal: io.signal, output: args.shell.out, onProgress });
  reporter.result(text(report), report);
  return 0;
}
