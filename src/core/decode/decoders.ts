/**
 * Which decoder reads which format in this run, for the report and manifest, and the one notice
 * a run gives when the JPEG fast path is missing. Decided per process from what loads, so it is
 * the same in every decoder thread.
 */
import { turboDecoderName } from './jpeg-fast.js';
import { turboJpegProblem } from './turbojpeg.js';
import { fastPngMaxPixels } from './png.js';

const formatsByExtension: Record<string, string> = {
  jpg: 'JPEG', jpeg: 'JPEG', jpe: 'JPEG', jfif: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP',
  tif: 'TIFF', tiff: 'TIFF', avif: 'AVIF', heic: 'AVIF', heif: 'AVIF', bmp: 'BMP',
};

/**
 * Decoder per format for the formats among `extensions` (scan counts: extension without dot →
 * count). Files are decoded by content, so a PNG named .jpg still takes the PNG reader.
 *
 * `versions`: sharp's and libvips's, as engineVersions reads them from their package files;
 * asking sharp itself would load libvips (~75 ms) at the end of runs that never needed it.
 *
 * @example
 * describeDecoders(['jpg', 'png'], await engineVersions());
 * // { JPEG: 'libjpeg-turbo (TurboJPEG, libturbojpeg.so.0); sharp 0.34.5 / libvips 8.17.3 for ...', PNG: '...' }
 */
export function describeDecoders(extensions: Iterable<string>, versions: { sharp: string; libvips: string }): Record<string, string> {
  const vips = `sharp ${versions.sharp} / libvips ${versions.libvips}`;
  const side = Math.floor(Math.sqrt(fastPngMaxPixels));
  // Per format on demand: naming the JPEG decoder loads libturbojpeg, which a run without JPEGs
  // (on this thread, where the report is written) never needed.
  const all: Record<string, () => string> = {
    JPEG: () => (turboDecoderName() ? `${turboDecoderName()}; ${vips} for 12-bit, lossless and CMYK-with-ICC-profile JPEGs` : vips),
    PNG: () => `img2npy PNG reader up to ${side}x${side} px; ${vips} otherwise`,
    BMP: () => `img2npy BMP reader; ${vips} resizes those over ${side}x${side} px or whose alpha is kept (rgba)`,
    GIF: () => vips,
    WebP: () => vips,
    TIFF: () => vips,
    AVIF: () => vips,
  };
  const out: Record<string, string> = {};
  for (const ext of extensions) {
    const format = formatsByExtension[ext.toLowerCase().replace(/^\./, '')];
    if (format) out[format] ??= all[format]();
  }
  return out;
}

const install = [
  'Debian/Ubuntu: sudo apt install libturbojpeg0',
  'Fedora: sudo dnf install turbojpeg',
  'macOS: brew install jpeg-turbo',
  'Windows: the libjpeg-turbo installer from libjpeg-turbo.org (turbojpeg.dll on PATH)',
].join('; ');

/**
 * The notice for a run with JPEGs when libturbojpeg cannot be used (null when it can): JPEGs
 * then decode through sharp, correct but several times slower, and Keras mode's JPEG pixels
 * follow libvips's DCT instead of TensorFlow's.
 */
export function jpegDecoderNotice(): string | null {
  const problem = turboJpegProblem();
  if (!problem) return null;
  return `JPEGs decode through sharp (slower; Keras mode not pixel-exact for JPEG): ${problem}. Install libjpeg-turbo's TurboJPEG library to speed them up (${install})`;
}
