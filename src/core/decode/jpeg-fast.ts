/**
 * The JPEG fast path: TurboJPEG decodes at the smallest SIMD DCT scale that still covers the
 * output (default mode) or at full size with the DCT the plan names (Keras mode: IFAST, as
 * TensorFlow), then orientation, the Pillow-style resample and the channel conversion run here.
 *
 * Left to sharp (answers null): no TurboJPEG, headers or frames TurboJPEG refuses (12-bit,
 * lossless, broken headers: sharp then decodes or words the error), and CMYK with an embedded
 * profile (converted through the profile, which only libvips's colour management does).
 */
import { checkPixelLimit } from './errors.js';
import { damagedJpeg } from './damage.js';
import { readJpegMarkers } from './jpeg-markers.js';
import { cmykToRgb, rgbToLuma, widen } from './pixels.js';
import { type TurboPixelFormat, scaledSize, turboJpeg } from './turbojpeg.js';
import { applyFit, dctScale, fitPlan } from '../geometry/fit.js';
import { orient } from '../geometry/orient.js';
import { type Pixels, resampleScratch } from '../geometry/resample.js';
import type { DecodedImage, DecodePlan } from '../types.js';

/** How the report names this decoder. */
export function turboDecoderName(): string | null {
  const turbo = turboJpeg();
  return turbo ? `libjpeg-turbo (TurboJPEG, ${turbo.library})` : null;
}

/**
 * Decodes a JPEG with TurboJPEG per `plan`; null when sharp must do it (see above).
 *
 * @throws {Img2npyError} image-too-large by header; damaged-image / unreadable-image for data
 *   libjpeg decodes only with corruption warnings, unless plan.allowDamaged.
 */
export async function decodeJpegFast(buf: Uint8Array, abs: string, plan: DecodePlan): Promise<DecodedImage | null> {
  const turbo = turboJpeg();
  if (!turbo) return null;
  const header = turbo.header(buf);
  if ('error' in header) return null;
  const markers = readJpegMarkers(buf);
  if (markers.precision !== 8) return null;
  const cmyk = header.colorspace === 'cmyk' || header.colorspace === 'ycck';
  if (cmyk && markers.iccProfile) return null;
  checkPixelLimit(abs, header.width, header.height, plan.maxPixels);

  const orientation = plan.exif ? markers.orientation : 1;
  const swap = orientation >= 5;
  const g = plan.geometry;
  const fit = g ? fitPlan(swap ? header.width : header.height, swap ? header.height : header.width, g) : null;
  const factor = g && fit && plan.fastShrink ? dctScale(fit, g.interpolation, turbo.scalingFactors) : { num: 1, denom: 1 };
  const width = scaledSize(header.width, factor);
  const height = scaledSize(header.height, factor);
  const dct = plan.jpegDct ?? 'accurate';
  // libjpeg's grayscale output of a colour JPEG is its Y channel, which is what TensorFlow gives
  // for channels=1; the default mode follows PIL's convert('L') from rgb instead.
  const greyOut = header.colorspace === 'gray' || (plan.channels === 1 && dct === 'fast' && !cmyk);
  const format: TurboPixelFormat = cmyk ? 'cmyk' : greyOut ? 'gray' : 'rgb';

  // Pixels bound for the resampler are decoded into its memory: it reads them where they are
  // when they reach it unchanged (separableWasm), and a conversion or rotation first reads them
  // into a buffer of its own, as from the scratch.
  const into = g && fit ? resampleScratch : undefined;
  let r = await turbo.decompress(buf, width, height, format, { dct, stopOnWarning: true, into });
  let damage: string | undefined;
  if (!r.ok && r.warning) {
    if (!plan.allowDamaged) throw damagedJpeg(abs, r.error, buf);
    damage = r.error;
    r = await turbo.decompress(buf, width, height, format, { dct, stopOnWarning: false, into });
  }
  if (!r.ok) return null;

  let px: Pixels = { data: r.data, width: r.width, height: r.height, bands: format === 'gray' ? 1 : 3 };
  if (cmyk) px.data = cmykToRgb(r.data, markers.adobe);
  if (plan.channels === 1 && px.bands === 3) px = { ...px, data: rgbToLuma(px.data, false), bands: 1 };
  px = orient(px, orientation);
  if (g && fit) px = applyFit(px, fit, g, factor.num / factor.denom);
  let data = px.data;
  if (plan.channels !== px.bands) data = widen(data, px.bands, false, plan.channels as 3 | 4);
  const transient = r.borrowed && data === r.data ? { transient: true as const } : {};
  return { data, width: px.width, height: px.height, channels: plan.channels, decoder: turboDecoderName() ?? undefined, damage, ...transient };
}
