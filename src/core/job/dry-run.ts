/**
 * The dry run behind `img2npy scan`: what a conversion with these options would find, skip and
 * write, from the scan and a header probe of every file. No pixel is decoded and nothing is
 * written anywhere.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { ConvertOptions } from '../../shared/options.js';
import type { ArrayInfo, DryRunReport, ScanSummary, SkippedFile } from '../../shared/report.js';
import { buildNpyHeader, friendlyDtype, itemBytes, npyDescr } from '../arrays/npy-header.js';
import { unicodeWidth } from '../arrays/npy-writer.js';
import { storedNpzBytes } from '../arrays/npz-pack.js';
import { findLeakage } from '../scan/duplicates.js';
import { orderAndSplit } from '../scan/order-split.js';
import { scanFolder } from '../scan/scan.js';
import { encodeLabels } from '../tensor/labels.js';
import { probeLargest } from './decode-files.js';
import { describeMeta, metaArraySpecs } from './meta-arrays.js';
import { outputPath, planOutputs } from './output-paths.js';
import { planJob, resolveJobOptions } from './plan.js';
import { summaryOf } from './scan-summary.js';
import { ProgressEmitter } from './progress.js';
import type { ProgressEvent } from '../../shared/progress.js';

function npyBytes(descr: string, shape: number[]): number {
  return buildNpyHeader(descr, shape).length + shape.reduce((a, b) => a * b, 1) * itemBytes(descr);
}

/** Options as convert resolves them; without --size (and not padding) the scan still runs, with no shape. */
function resolveForScan(given: Partial<ConvertOptions>): { options: ConvertOptions; sizeMissing: boolean } {
  try {
    return { options: resolveJobOptions(given), sizeMissing: false };
  } catch (err) {
    if (!(err instanceof Img2npyError) || err.option !== 'size' || given.size !== undefined) throw err;
    return { options: resolveJobOptions({ ...given, resize: 'none' }), sizeMissing: true };
  }
}

/**
 * Scans `input`, reads every image's header (bounded concurrency) and works out the outputs a
 * conversion with `options` would write: layout, counts, formats, files to be skipped and why,
 * the final shape and the bytes written (stored, without --compress).
 * @example const r = await dryRun('flowers', { size: { height: 224, width: 224 } }); r.shape // [N, 224, 224, 3]
 * @throws Img2npyError input-not-found, no-classes, invalid-option... as convert would, before any work.
 */
export async function dryRun(
  input: string,
  given: Partial<ConvertOptions>,
  ctx: { signal?: AbortSignal; output?: string; onProgress?: (event: ProgressEvent) => void } = {},
): Promise<DryRunReport> {
  const { options, sizeMissing } = resolveForScan(given);
  const plan = planJob(input, options);
  // A .tar.gz is gunzipped whole to be listed (seconds for a large one): that much is reported.
  const progress = new ProgressEmitter('dry-run', ctx.onProgress);
  const scan = await scanFolder(resolve(input), plan.scan, ctx.signal, (p) => progress.listing(p.archive, p.bytesRead, p.totalBytes, p.members));
  const numClasses = scan.classNames.length;
  // The same early refusal as convert (binary labels need exactly two classes).
  const labels = options.labels === 'none' ? null : encodeLabels([], options.labelMode, Math.max(1, numClasses));
  const skipped: SkippedFile[] = [];
  const jobs = options.jobs ?? availableParallelism() + 1;
  const probed = await probeLargest(scan.files, plan, { jobs, signal: ctx.signal, skipped, strict: false });
  const kept = scan.files.length - skipped.length;
  const largest = kept > 0 ? probed : null;
  const size = sizeMissing ? null : plan.padToLargest ? largest : options.size;

  // Convert splits the files found (split folders, classes and the split names as the scan found
  // them), drops identical copies with --dedupe, then the files it cannot read: the same here.
  const { seed, subsets: split, splitNames } = orderAndSplit(scan.files, options, scan.layout.splits, scan.classNames);
  const leakage = options.dedupe && splitNames.length > 1 ? await findLeakage(split, splitNames, { dedupe: true, signal: ctx.signal }) : null;
  const dropped = new Set(leakage?.dropped.map((d) => d.file));
  const unreadable = new Set(skipped.map((s) => s.file));
  const outputLayout = planOutputs(ctx.output ?? (options.format === 'npy' ? 'dry-run' : 'dry-run.npz'), options, 'dry-run', splitNames);
  const subsets = outputLayout.subsets.map((subset) => ({ subset, n: split[subset].filter((f) => !unreadable.has(f.rel) && !dropped.has(f.rel)).length }));
  const format = outputLayout.kind;
  const xRow = size === null ? null : options.layout === 'nchw' ? [plan.channels, size.height, size.width] : [size.height, size.width, plan.channels];
  const xDescr = npyDescr(options.dtype);
  const classDescr = npyDescr({ unicode: unicodeWidth(scan.classNames) });
  const pathDescr = npyDescr({ unicode: unicodeWidth(scan.files.map((f) => f.rel)) });
  const metaSpecs = metaArraySpecs(scan.metaColumns, scan.files);

  /** The arrays of one output or shard of `rows` samples, in the order convert writes them. */
  const arraysOf = (rows: number): ArrayInfo[] => {
    const info = (name: string, descr: string, shape: number[]): ArrayInfo => ({ name, descr, shape, dtype: friendlyDtype(descr) ?? descr });
    return [
      info('x', xDescr, [rows, ...xRow!]),
      ...(labels ? [info('y', labels.descr, [rows, ...labels.rowShape])] : []),
      info('class_names', classDescr, [numClasses]),
      info('paths', pathDescr, [rows]),
      ...describeMeta(metaSpecs, rows),
    ];
  };
  const shardBytes = (rows: number): number => {
    const files = arraysOf(rows).map((a) => ({ name: `${a.name}.npy`, bytes: npyBytes(a.descr, a.shape) }));
    return format === 'npz' ? storedNpzBytes(files) : files.reduce((n, f) => n + f.bytes, 0);
  };
  const outputs = subsets.map(({ subset, n }) => {
    const samples = options.dropRemainder ? n - (n % options.batchSize) : n;
    const shardSize = options.shardSize ?? Math.max(1, samples);
    const shards = Math.max(1, Math.ceil(samples / shardSize));
    let bytes: number | null = null;
    if (xRow) {
      bytes = 0;
      for (let s = 0; s < shards; s++) bytes += shardBytes(Math.min(shardSize, samples - s * shardSize));
    }
    // Names only for a destination given with --out; without one they would name nothing real.
    const files = ctx.output === undefined ? null : Array.from({ length: shards }, (_, index) => outputPath(outputLayout, subset, shards > 1 ? { index, count: shards } : undefined));
    const path = ctx.output === undefined ? null : outputPath(outputLayout, subset);
    return { subset, path, files, samples, shards, bytes, arrays: xRow ? arraysOf(samples) : null };
  });
  const total = outputs.reduce((n, o) => n + o.samples, 0);
  const summary: ScanSummary = summaryOf(scan);
  const warnings = [...scan.warnings, ...plan.warnings, ...(leakage?.warnings ?? [])];
  if (scan.files.length === 0) warnings.push(`No images found in ${scan.root}: convert would stop here`);
  if (seed !== null && options.seed === null && subsets.length > 1) warnings.push(`No seed given: split with drawn seed ${seed}; convert draws its own unless --seed ${seed} is given, so per-split counts may differ by the files that would be skipped`);
  if (sizeMissing) warnings.push('No size given: set --size HxW (or --resize none) for the final shape and size');
  return {
    summary,
    probed: scan.files.length,
    skipped,
    largest,
    shape: xRow ? [total, ...xRow] : null,
    dtype: options.dtype,
    layout: options.layout,
    outputs,
    bytes: xRow ? outputs.reduce((n, o) => n + o.bytes!, 0) : null,
    format,
    notExact: plan.notExact,
    warnings,
  };
}
