/** Per-file decode for a job, and the header-only pre-pass that sizes the padded canvas. */
import type { Size } from '../../shared/options.js';
import { toErrorInfo } from '../../shared/errors.js';
import type { SkippedFile } from '../../shared/report.js';
import { decodeBytes, decodeImage } from '../decode/image.js';
import { readArchiveEntry } from '../scan/archive-read.js';
import { readMember, tarGzFeedFor } from '../scan/tar-gz-feed.js';
import { checkPixelLimit, skippableCodes } from '../decode/errors.js';
import type { JobPlan } from './plan.js';
import { orderedPool } from './ordered-pool.js';
import { padToCanvas } from '../geometry/pad-canvas.js';
import { probeImage, probeImageBytes } from '../decode/probe.js';
import type { DecodedImage, ScannedFile } from '../types.js';

/** `bytes`: the file's bytes, already read (a .tar.gz member); otherwise this reads them. */
export async function decodeForJob(file: ScannedFile, plan: JobPlan, size: Size, bytes?: Uint8Array): Promise<DecodedImage> {
  // An archive member is read from the archive by this thread (nothing is unpacked to disk).
  // Bytes that crossed a thread boundary arrive as a plain Uint8Array: viewed as a Buffer, not copied.
  const held = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : file.source ? readArchiveEntry(file.source, file.abs) : null;
  const image = held ? await decodeBytes(held, file.abs, plan.decode) : await decodeImage(file.abs, plan.decode);
  if (!plan.padToLargest) return image;
  const { padPosition, padValue } = plan.options;
  return { ...padToCanvas(image, size.height, size.width, padPosition, padValue), damage: image.damage };
}

/**
 * Reads only headers to find the largest height and width (the padded_batch shape). Files whose
 * header cannot be read are skipped here, with their reason, unless strict.
 */
export async function probeLargest(
  files: ScannedFile[],
  plan: JobPlan,
  ctx: { jobs: number; signal?: AbortSignal; skipped: SkippedFile[]; strict: boolean },
): Promise<Size> {
  let height = 0;
  let width = 0;
  const exif = plan.decode.exif;
  // Archive members are read here, on this thread; a .tar.gz's through one sequential feed.
  using feed = tarGzFeedFor(files, { signal: ctx.signal });
  const probe = async (f: ScannedFile) => {
    const size = f.source ? await probeImageBytes(await readMember(feed, f.source, f.abs), f.abs, { exif }) : await probeImage(f.abs, { exif });
    // The decoder refuses these too, but only later: they must not size the canvas.
    checkPixelLimit(f.abs, size.width, size.height, plan.decode.maxPixels);
    return size;
  };
  for await (const r of orderedPool(files, probe, { concurrency: ctx.jobs * 4, signal: ctx.signal })) {
    if (r.ok) {
      height = Math.max(height, r.value.height);
      width = Math.max(width, r.value.width);
      continue;
    }
    const info = toErrorInfo(r.error);
    if (ctx.strict || !skippableCodes.has(info.code)) throw r.error;
    ctx.skipped.push({ file: files[r.index].rel, code: info.code, reason: info.message });
  }
  return { height: Math.max(1, height), width: Math.max(1, width) };
}
