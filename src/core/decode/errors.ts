/**
 * The decoder's errors, in one place so every path (sharp, the BMP reader, the probe) words them
 * the same way: `Cannot decode <file>: <problem>`, code `unreadable-image` or `image-too-large`.
 */
import { Img2npyError } from '../../shared/errors.js';
import { type DecodableFormat, formatLabels } from './sniff.js';

/** Per-file failures that skip the file (unless strict); anything else fails the job. */
export const skippableCodes: ReadonlySet<string> = new Set(['unreadable-image', 'damaged-image', 'image-too-large']);

/**
 * @example
 * throw unreadable('/data/cat/1.jpg', 'truncated JPEG');
 */
export function unreadable(file: string, problem: string, cause?: unknown): Img2npyError {
  return new Img2npyError('unreadable-image', `Cannot decode ${file}: ${problem}`, { file, cause });
}

/** Refuses an image whose header claims more pixels than `maxPixels` (0 = no limit). */
export function checkPixelLimit(file: string, width: number, height: number, maxPixels: number): void {
  if (maxPixels > 0 && width * height > maxPixels) {
    throw new Img2npyError(
      'image-too-large',
      `Cannot decode ${file}: ${width}x${height} is ${width * height} pixels, more than the limit of ${maxPixels} (--max-pixels; 0 = no limit)`,
      { file },
    );
  }
}

const truncated = /premature end|unexpected end|truncat|bad seek|end of (file|stream|data)|not enough data|short read/i;
// libpng says only "read error" for a cut file as for a corrupt one.
const maybeTruncated = /read error/i;

/**
 * Turns a libvips/sharp failure into our error. libvips prefixes are kept in the detail because
 * they name the codec that failed, which helps with bug reports.
 */
export function fromSharpError(file: string, format: DecodableFormat, err: unknown, encoded?: Uint8Array): Img2npyError {
  if (err instanceof Img2npyError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const detail = raw.split('\n')[0].replace(/^Input (buffer|file) has corrupt header: /, '').trim();
  if (/exceeds pixel limit/i.test(raw)) {
    return new Img2npyError('image-too-large', `Cannot decode ${file}: more pixels than the limit (${detail})`, { file, cause: err });
  }
  const label = formatLabels[format];
  if (/unsupported image format/i.test(raw)) return unreadable(file, `damaged ${label} (its header could not be read)`, err);
  if (format === 'heif' && /unsupported (codec|feature)|no decoder/i.test(raw)) {
    return unreadable(file, `unsupported HEIF codec, only AVIF decodes (${detail})`, err);
  }
  // libvips' message is per thread and sometimes comes back as "Unknown error" when decodes run
  // in parallel; a JPEG with no end-of-image marker near its end is cut short whatever it says.
  const cut = truncated.test(raw) || (format === 'jpeg' && encoded !== undefined && !endsWithJpegEoi(encoded));
  const what = cut ? 'truncated' : maybeTruncated.test(raw) ? 'truncated or damaged' : 'damaged';
  return unreadable(file, `${what} ${label} (${detail})`, err);
}

/** Whether a JPEG's end-of-image marker (FF D9) is within its last KiB (trailing junk is common). */
export function endsWithJpegEoi(buf: Uint8Array): boolean {
  for (let i = buf.length - 2; i >= Math.max(0, buf.length - 1024); i--) {
    if (buf[i] === 0xff && buf[i + 1] === 0xd9) return true;
  }
  return false;
}
