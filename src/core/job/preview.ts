/**
 * A few images after the current transform, for the app's live preview, plus the final array
 * shape and an estimate of the output size, computed without converting anything.
 */
import { availableParallelism } from 'node:os';
import type { ConvertOptions } from '../../shared/options.js';
import { toErrorInfo } from '../../shared/errors.js';
import type { PreviewItem, PreviewResult } from '../../shared/report.js';
import { loadBackend } from '../tensor/backend.js';
import { decodeBytes, decodeImage } from '../decode/image.js';
import { probeImage, probeImageBytes } from '../decode/probe.js';
import { shuffledWithSeed } from '../scan/shuffle.js';
import { readMember, tarGzFeedFor } from '../scan/tar-gz-feed.js';
import { probeLargest } from './decode-files.js';
import { encodeLabels } from '../tensor/labels.js';
import { itemBytes, npyDescr } from '../arrays/npy-header.js';
import { unicodeWidth } from '../arrays/npy-writer.js';
import { scanWithOptions } from './scan-summary.js';
import { toPngDataUrl } from '../arrays/png-encode.js';
import { createTensorStage } from '../tensor/stage.js';
import type { ScannedFile } from '../types.js';

/**
 * Takes files round-robin across classes so the grid shows several classes, not just the first.
 * With a seed, each class contributes a seeded random sample rather than its first files (which
 * are often near-duplicates); the same seed always picks the same files.
 */
export function pickAcrossClasses(files: ScannedFile[], count: number, seed?: number): ScannedFile[] {
  const byClass = new Map<number | null, ScannedFile[]>();
  for (const f of files) {
    const list = byClass.get(f.label) ?? [];
    if (seed !== undefined || list.length < count) list.push(f);
    byClass.set(f.label, list);
  }
  const lists = [...byClass.values()].map((l) => (seed === undefined ? l : shuffledWithSeed(l, seed).slice(0, count)));
  const out: ScannedFile[] = [];
  for (let i = 0; out.length < count && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < count) out.push(l[i]);
  }
  return out;
}

/**
 * @example const p = await preview('flowers', { size: { height: 64, width: 64 } }, 8)
 * @throws Img2npyError from the scan or option validation; per-image failures are items with error.
 */
export async function preview(
  input: string,
  options: Partial<ConvertOptions>,
  count: number,
  ctx: { signal?: AbortSignal; sampleSeed?: number } = {},
): Promise<PreviewResult> {
  const { scan, plan } = await scanWithOptions(input, options, ctx.signal);
  const o = plan.options;
  const backend = await loadBackend(o.backend);
  let size = o.size ?? { height: 0, width: 0 };
  if (plan.padToLargest) size = await probeLargest(scan.files, plan, { jobs: o.jobs ?? availableParallelism() + 1, signal: ctx.signal, skipped: [], strict: false });
  // The preview shows pixels, not normalised values: uint8, HWC, same geometry.
  const stage = plan.tensorResize
    ? createTensorStage(backend, { ...size, channels: plan.channels, dtype: 'uint8', normalize: 'none', mean: null, std: null, layout: 'nhwc', resize: plan.tensorResize })
    : null;
  const items: PreviewItem[] = [];
  const picked = pickAcrossClasses(scan.files, Math.max(0, Math.min(count, 64)), ctx.sampleSeed);
  // Archive members are read from the archive (a .tar.gz's in one sequential pass), never unpacked.
  using feed = tarGzFeedFor(picked, { signal: ctx.signal });
  for (const file of picked) {
    ctx.signal?.throwIfAborted();
    const className = file.label === null ? null : scan.classNames[file.label];
    try {
      const bytes = file.source ? await readMember(feed, file.source, file.abs) : null;
      // The decoder may shrink on load: the header tells the size the file really has.
      const exif = { exif: plan.decode.exif };
      const original = await (bytes ? probeImageBytes(bytes, file.abs, exif) : probeImage(file.abs, exif)).catch(() => null);
      let img = bytes ? await decodeBytes(bytes, file.abs, plan.decode) : await decodeImage(file.abs, plan.decode);
      if (stage) img = { data: await stage.processBatch([img]), width: size.width, height: size.height, channels: plan.channels };
      items.push({ file: file.rel, className, width: img.width, height: img.height, channels: img.channels, dataUrl: await toPngDataUrl(img), error: null, original });
    } catch (err) {
      const info = toErrorInfo(err);
      items.push({ file: file.rel, className, width: 0, height: 0, channels: 0, dataUrl: null, error: { file: file.rel, code: info.code, reason: info.message } });
    }
  }
  const n = scan.files.length;
  const xRow = [size.height, size.width, plan.channels];
  const shape = o.layout === 'nchw' ? [n, plan.channels, size.height, size.width] : [n, ...xRow];
  const labelBytes = o.labels === 'none' ? 0 : encodeLabels([0], o.labelMode, Math.max(2, scan.classNames.length)).bytes.length;
  const pathWidth = unicodeWidth(scan.files.map((f) => f.rel));
  const estimatedBytes = n * (xRow[0] * xRow[1] * xRow[2] * itemBytes(npyDescr(o.dtype)) + labelBytes + pathWidth * 4);
  return { items, shape, dtype: o.dtype, estimatedBytes, backend: backend.name };
}
