/**
 * The conversion job: scan → order/split → parallel decode → tensor stage → streamed writers →
 * atomic publish. Knows nothing of its shells: it takes a signal and a progress callback.
 */
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { ConvertJob } from '../../shared/api.js';
import type { ConvertOptions } from '../../shared/options.js';
import { Img2npyError } from '../../shared/errors.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { ConvertReport, DamagedFile, SkippedFile } from '../../shared/report.js';
import { backendForJob } from '../tensor/backend.js';
import { type JobPlan, planJob, resolveJobOptions } from './plan.js';
import { encodeLabels } from '../tensor/labels.js';
import { npyDescr } from '../arrays/npy-header.js';
import { unicodeWidth } from '../arrays/npy-writer.js';
import { orderAndSplit } from '../scan/order-split.js';
import type { SubsetName } from '../types.js';
import { makeFolder, planOutputs } from './output-paths.js';
import { checkCanvas } from './canvas-limit.js';
import { checkOutputsFree } from './destination.js';
import { claimTempDir, removeDeadTempDirs } from './temp-dirs.js';
import { announceSplits } from './split-outputs.js';
import { findLeakage } from '../scan/duplicates.js';
import { metaArraySpecs } from './meta-arrays.js';
import { ProgressEmitter } from './progress.js';
import { publish } from './publish.js';
import { scanFolder } from '../scan/scan.js';
import { convertSubset } from './subset-convert.js';
import { type DecoderPool, adoptDecoders } from './worker-pool.js';
import { type StagedShard, SubsetWriter } from './subset-writer.js';
import { createTensorStage, needsTensorOps } from '../tensor/stage.js';
import { engineVersions } from './versions.js';
import { describeDecoders, jpegDecoderNotice } from '../decode/decoders.js';

export interface RunContext {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Messages a user should see before the job ends (e.g. the final shape of a padded batch). */
  onNotice?: (message: string) => void;
  /**
   * Awaited once every row is written, just before publishing (the destination check and the
   * moves into place). A known point where a shell may hold the job: the CLI's tests freeze runs
   * there to race them for one name or to kill their launcher, without depending on timing.
   */
  beforePublish?: () => Promise<void>;
}

/**
 * Converts an image folder into .npz / .npy outputs.
 * @example await convert({ jobId, input: 'flowers', output: 'flowers.npz', options: { size: { height: 224, width: 224 } }, overwrite: false })
 * @throws Img2npyError with a catalogue code; nothing is left at the destination on failure.
 */
export async function convert(job: ConvertJob, ctx: RunContext = {}): Promise<ConvertReport> {
  const t0 = performance.now();
  const options = resolveJobOptions(job.options);
  const plan = planJob(job.input, options);
  // Decoder threads start first (or already did, see prestartDecoders): they load their modules
  // while this thread scans.
  const decoders = adoptDecoders(options.jobs ?? availableParallelism(), plan);
  try {
    return await runJob(job, ctx, { t0, options, plan, decoders });
  } finally {
    await decoders.close();
  }
}

async function runJob(
  job: ConvertJob,
  ctx: RunContext,
  { t0, options, plan, decoders }: { t0: number; options: ConvertOptions; plan: JobPlan; decoders: DecoderPool },
): Promise<ConvertReport> {
  const { signal } = ctx;
  const input = resolve(job.input);
  let layout = planOutputs(job.output, options, job.jobId);
  const progress = new ProgressEmitter(job.jobId, ctx.onProgress);
  const destination = await checkOutputsFree(layout, job.overwrite, input);
  for (const w of destination.warnings) ctx.onNotice?.(w);
  signal?.throwIfAborted();

  progress.setPhase('scan', 0);
  const scan = await scanFolder(input, plan.scan, signal, (p) => progress.listing(p.archive, p.bytesRead, p.totalBytes, p.members));
  if (scan.files.length === 0) throw new Img2npyError('no-images', `No images found in ${input}`, { file: input });
  // Also the early check that binary labels have exactly two classes.
  const labels = options.labels === 'none' ? null : encodeLabels([], options.labelMode, scan.classNames.length);
  for (const w of [...scan.warnings, ...plan.warnings]) ctx.onNotice?.(w);
  // Once per run, before any decoder starts: JPEGs would silently go the slow way otherwise.
  const jpegNotice = Object.keys(scan.formats).some((e) => /^(jpe?g|jpe|jfif)$/i.test(e)) ? jpegDecoderNotice() : null;
  if (jpegNotice) ctx.onNotice?.(jpegNotice);
  const scanMs = performance.now() - t0;
  for (const note of scan.layout.notes) ctx.onNotice?.(note);
  const { seed, subsets, splitNames, warnings: splitWarnings } = orderAndSplit(scan.files, options, scan.layout.splits, scan.classNames);
  if (scan.layout.splits.length > 0) {
    // Split folders name the outputs, which only the scan could tell: plan and check them again.
    layout = planOutputs(job.output, options, job.jobId, splitNames);
    for (const w of (await checkOutputsFree(layout, job.overwrite, input)).warnings) if (!destination.warnings.includes(w)) ctx.onNotice?.(w);
  }
  // Identical files in two splits leak; named always, dropped from the later split with dedupe.
  const leakage = splitNames.length > 1 ? await findLeakage(subsets, splitNames, { dedupe: options.dedupe, signal }) : null;
  if (leakage) splitWarnings.push(...leakage.warnings);
  if (splitNames.length > 0) ctx.onNotice?.(announceSplits(layout, splitNames, subsets));
  for (const w of splitWarnings) ctx.onNotice?.(w);
  if (seed !== null && options.seed === null) ctx.onNotice?.(`No seed given: shuffled with seed ${seed}; set seed ${seed} (--seed ${seed}) to repeat this order and split`);
  const backend = await backendForJob(options.backend, needsTensorOps(options));

  const skipped: SkippedFile[] = (leakage?.dropped ?? []).map((d) => ({ file: d.file, code: 'duplicate-image', reason: `identical to ${d.keptAs} in an earlier split; dropped (--dedupe)` }));
  // One decoder thread per core unless --jobs says otherwise (prestartDecoders). A third thread on
  // 2 cores made typical JPEGs slower (median 1.97 → 2.06 s, 5 interleaved runs).
  const jobs = decoders.size;
  let size = options.size!;
  if (plan.padToLargest) {
    // Loaded only here: the decoders (and sharp) live in the threads, off this one's start-up.
    const { probeLargest } = await import('./decode-files.js');
    size = await probeLargest(scan.files, plan, { jobs, signal, skipped, strict: options.strict });
    checkCanvas(size, plan.channels, options.dtype === 'uint8' ? 1 : 4, options.maxPixels);
    ctx.onNotice?.(`Images keep their size; every image is padded to the largest found: ${size.height}x${size.width}`);
  }
  const { height: H, width: W } = size;
  const tensor = createTensorStage(backend, {
    height: H,
    width: W,
    channels: plan.channels,
    dtype: options.dtype,
    normalize: options.normalize,
    mean: options.mean,
    std: options.std,
    layout: options.layout,
    resize: plan.tensorResize,
  });
  const xShape = options.layout === 'nchw' ? [plan.channels, H, W] : [H, W, plan.channels];
  const pathWidth = unicodeWidth(scan.files.map((f) => f.rel));

  const parent = dirname(layout.base);
  await makeFolder(parent);
  await removeDeadTempDirs(parent, ctx.onNotice);
  const writers: SubsetWriter[] = [];
  const staged = new Map<SubsetName, StagedShard[]>();
  const counts = new Array<number>(scan.classNames.length).fill(0);
  const damaged: DamagedFile[] = [];
  const tConvert = performance.now();
  try {
    await claimTempDir(layout.tempDir);
    const skippedNow = new Set(skipped.map((s) => s.file));
    const metaSpecs = metaArraySpecs(scan.metaColumns, scan.files);
    const work = layout.subsets.map((s) => ({ subset: s, files: subsets[s].filter((f) => !skippedNow.has(f.rel)) }));
    progress.setPhase('decode', work.reduce((n, w) => n + w.files.length, 0));
    // Read while the threads decode, when this thread mostly waits: the manifest needs them only
    // at the end, where reading them (package files, sharp's entry) cost every run ~15 ms.
    const versionsSoon = engineVersions();
    versionsSoon.catch(() => undefined);
    for (const { subset, files } of work) {
      const writer = new SubsetWriter({
        subset,
        tempDir: layout.tempDir,
        x: { descr: npyDescr(options.dtype), rowShape: xShape },
        y: labels ? { descr: labels.descr, rowShape: labels.rowShape } : null,
        pathWidth,
        classNames: scan.classNames,
        shardSize: options.shardSize,
        layout: options.layout,
        meta: metaSpecs,
        npz: layout.kind === 'npz' ? { compress: options.compress } : null,
      });
      writers.push(writer);
      await convertSubset(files, { plan, size, decoders, tensor, writer, progress, skipped, damaged, counts, numClasses: scan.classNames.length, signal });
      // After the last subset's images the threads end while the outputs are finished and
      // published (ending them takes tens of ms); convert's finally awaits it.
      if (subset === work[work.length - 1].subset) void decoders.close();
      staged.set(subset, await writer.finish());
    }
    const convertMs = performance.now() - tConvert;
    const done = writers.reduce((n, w) => n + w.rows, 0);
    if (done === 0) {
      throw new Img2npyError('no-images', `None of the ${scan.files.length} images in ${input} could be converted; see the skipped files`, { file: input });
    }
    progress.setPhase('finalize', 1);
    const versions = await versionsSoon;
    const report: ConvertReport = {
      jobId: job.jobId,
      input,
      options,
      seed,
      backend: backend.name,
      backendDetail: backend.detail,
      classNames: scan.classNames,
      countsPerClass: Object.fromEntries(scan.classNames.map((c, i) => [c, counts[i]])),
      emptyClasses: scan.emptyClasses,
      outputs: [],
      manifest: layout.manifest,
      skipped: [...scan.ignored, ...skipped],
      damaged,
      warnings: [...scan.warnings, ...plan.warnings, ...splitWarnings],
      shape: [done, ...xShape],
      notExact: plan.notExact,
      decoders: describeDecoders(Object.keys(scan.formats), versions),
      timings: { scanMs: Math.round(scanMs), convertMs: Math.round(convertMs), totalMs: 0 },
      imagesPerSecond: convertMs > 0 ? Math.round((done / convertMs) * 1000 * 10) / 10 : 0,
      versions,
    };
    await ctx.beforePublish?.();
    await publish(layout, staged, {
      compress: options.compress,
      overwrite: job.overwrite,
      signal,
      manifest: (outputs) => {
        report.outputs = outputs.map((o, i) => ({ ...o, arrays: writers[i].describe(o.samples), stats: writers[i].channelStats() }));
        report.timings.totalMs = Math.round(performance.now() - t0);
        return report;
      },
    });
    progress.setPhase('done', done, done);
    return report;
  } catch (err) {
    await Promise.allSettled(writers.map((w) => w.abort()));
    throw err;
  } finally {
    await rm(layout.tempDir, { recursive: true, force: true });
  }
}

