/** The folder summary shells show before converting: classes, counts, formats, what is skipped. */
import { resolve } from 'node:path';
import type { ConvertOptions } from '../../shared/options.js';
import type { ScanLayoutSummary, ScanSummary } from '../../shared/report.js';
import { planJob, resolveJobOptions } from './plan.js';
import { scanFolder } from '../scan/scan.js';
import type { ScanResult } from '../types.js';

export async function scanWithOptions(input: string, options: Partial<ConvertOptions>, signal?: AbortSignal): Promise<{ scan: ScanResult; plan: ReturnType<typeof planJob> }> {
  const plan = planJob(input, resolveJobOptions(options));
  const scan = await scanFolder(resolve(input), plan.scan, signal);
  return { scan, plan };
}

/** Only these options change what a scan finds; the rest (size, dtype...) may still be unset. */
const scanKeys = ['like', 'followLinks', 'labels', 'classNames', 'labelColumn', 'splitFolders', 'splits'] as const;

function scanOnly(input: string, options: Partial<ConvertOptions>, signal?: AbortSignal) {
  const picked: Partial<ConvertOptions> = { resize: 'none' };
  for (const key of scanKeys) if (options[key] !== undefined) Object.assign(picked, { [key]: options[key] });
  return scanWithOptions(input, picked, signal);
}

/**
 * @example const s = await scanSummary('flowers', {}); s.classNames // ['daisy', 'rose']
 * @throws Img2npyError input-not-found, no-classes, invalid-option...
 */
export async function scanSummary(input: string, options: Partial<ConvertOptions>, ctx: { signal?: AbortSignal } = {}): Promise<ScanSummary> {
  const { scan } = await scanOnly(input, options, ctx.signal);
  return summaryOf(scan);
}

/** What a scan found, as the shells show it (the app's summary, `img2npy scan`). */
export function summaryOf(scan: ScanResult): ScanSummary {
  return {
    root: scan.root,
    classNames: scan.classNames,
    countsPerClass: scan.countsPerClass,
    emptyClasses: scan.emptyClasses,
    total: scan.files.length,
    formats: scan.formats,
    ignored: scan.ignored,
    warnings: scan.warnings,
    layout: layoutSummary(scan),
  };
}

/** The detected layout with per-split counts, as shells show it. */
export function layoutSummary(scan: ScanResult): ScanLayoutSummary {
  const splits = scan.layout.splits.map((name) => {
    const counts = new Array<number>(scan.classNames.length).fill(0);
    let total = 0;
    for (const f of scan.files) {
      if (f.split !== name) continue;
      total++;
      if (f.label !== null) counts[f.label]++;
    }
    return { name, total, countsPerClass: Object.fromEntries(scan.classNames.map((c, i) => [c, counts[i]])) };
  });
  return {
    kind: scan.layout.kind,
    archive: scan.layout.archive ?? null,
    labelsFile: scan.layout.labelsFile,
    splits,
    metaColumns: scan.metaColumns.map((c) => ({ column: c.column, name: c.name, dtype: c.kind === 'text' ? 'str' : c.kind })),
    notes: scan.layout.notes,
  };
}
