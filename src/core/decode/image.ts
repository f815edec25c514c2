/**
 * One file → HWC uint8 pixels with the plan's channels, optionally resized (stretch, crop, pad).
 *
 * Every call is independent (its own sharp pipeline, no shared state), so callers may run many
 * at once. Most images take one sharp pass; three cases take two steps, because a single
 * libvips pipeline would get them wrong:
 * - 16-bit images: libvips reduces them to 8 bits by truncation, so we read 16 bits and round;
 * - BMP: libvips cannot read it, so our reader decodes; sharp resizes the large ones (as it
 *   does large PNGs) and those whose alpha is kept;
 * - alpha into rgb/grayscale with a resize: libvips resamples premultiplied alpha, which
 *   blackens the colour under transparent pixels ('drop') and rounds colour twice ('white',
 *   'black'), so the alpha band is removed in JS first and the opaque result is resized.
 * Compositing, grayscale luma and padding are done in JS (see decode-pixels.ts for why).
 * Small PNGs and BMPs skip sharp (png.ts, fitLoaded): its per-image pipeline setup costs ~1 ms,
 * twenty times the whole JS decode of a 28×28 image; the decoded pixels are the same, and
 * resizes are Pillow's.
 */
import type { Sharp } from 'sharp';
import { Img2npyError } from '../../shared/errors.js';
import { decodeBmp } from './bmp.js';
import { checkPixelLimit, fromSharpError, unreadable } from './errors.js';
import { cmykToRgb, flattenAlpha, rgbToLuma, stripAlpha, to8Bit, widen } from './pixels.js';
import { openEncoded, openRaw } from './sharp-decode.js';
import { type DecodableFormat, formatLabels, sniffFormat, sniffLength } from './sniff.js';
import { cropToAspectBox, fitInside } from '../geometry/boxes.js';
import { placeOnCanvas } from '../geometry/pad-canvas.js';
import { decodeMemory, jpegDecodeCost, jpegFrame } from './memory-gate.js';
import { headLength, inReadScratch, readImageFile } from './read-file.js';
import { formatBytes, plausibleBytes } from './size-bound.js';
import { decodeJpegFast } from './jpeg-fast.js';
import { damagedJpeg, jpegDamageFromSharp } from './damage.js';
import { applyFit, fitPlan } from '../geometry/fit.js';
import { decodePngFast, fastPngMaxPixels, type LoadedPng } from './png.js';
import type { DecodedImage, DecodePlan } from '../types.js';

type Geometry = NonNullable<DecodePlan['geometry']>;
type Kernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

/** An image ready for the common pass: oriented size, and what its bands are. */
interface Source {
  open(): Sharp;
  width: number;
  height: number;
  grey: boolean;
  hasAlpha: boolean;
  /** Whether the bytes are JPEG, where fastShrink decides shrink-on-load. */
  jpeg: boolean;
}

function rawSource(data: Uint8Array, width: number, height: number, bands: number, grey: boolean): Source {
  const channels = bands as 1 | 2 | 3 | 4;
  return { open: () => openRaw(data, width, height, channels), width, height, grey, hasAlpha: bands === 2 || bands === 4, jpeg: false };
}

async function toRaw(img: Sharp): Promise<{ data: Uint8Array; bands: number; width: number; height: number }> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), bands: info.channels, width: info.width, height: info.height };
}

async function encodedSource(buf: Buffer, abs: string, format: DecodableFormat, plan: DecodePlan, failOnWarning: boolean): Promise<Source> {
  const header = await openEncoded(buf, { maxPixels: 0, autoOrient: false, useIcc: false }).metadata();
  // The header's size is trusted for the limit: that is the point (refuse before decoding).
  checkPixelLimit(abs, header.width, header.height, plan.maxPixels);
  const flags = { maxPixels: plan.maxPixels, autoOrient: plan.exif, useIcc: header.space === 'cmyk', failOnWarning };
  const grey = header.space === 'b-w' || header.space === 'grey16';
  const width = plan.exif ? header.autoOrient.width : header.width;
  const height = plan.exif ? header.autoOrient.height : header.height;
  if (header.space === 'cmyk' && !header.hasProfile) {
    // No profile: libjpeg-based tools' arithmetic (cmykToRgb), not libvips's generic profile,
    // which comes out ~16/255 off what PIL and TensorFlow give. libvips has undone Adobe's inversion.
    const cmyk = await toRaw(openEncoded(buf, { ...flags, useIcc: false }).pipelineColourspace('cmyk').toColourspace('cmyk'));
    return rawSource(cmykToRgb(cmyk.data, false), cmyk.width, cmyk.height, 3, false);
  }
  if (header.depth === 'ushort') {
    const deep = await openEncoded(buf, flags).toColourspace(grey ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const u16 = new Uint16Array(deep.data.buffer, deep.data.byteOffset, deep.data.length / 2);
    return rawSource(to8Bit(u16), deep.info.width, deep.info.height, deep.info.channels, grey);
  }
  return { open: () => openEncoded(buf, flags), width, height, grey, hasAlpha: header.hasAlpha, jpeg: format === 'jpeg' };
}

/**
 * libvips kernels for our interpolation names. 'area' (box averaging) has no libvips kernel:
 * measured against an exact area resize, 'cubic' is the closest when shrinking, 'nearest' is
 * exact for whole-number enlargements, and 'linear' is closest for other enlargements.
 */
function kernelFor(interpolation: Geometry['interpolation'], srcH: number, srcW: number, dstH: number, dstW: number): Kernel {
  switch (interpolation) {
    case 'nearest':
      return 'nearest';
    case 'bilinear':
      return 'linear';
    case 'bicubic':
      return 'cubic';
    case 'lanczos3':
      return 'lanczos3';
    case 'area':
      if (dstH < srcH || dstW < srcW) return 'cubic';
      return dstH % srcH === 0 && dstW % srcW === 0 ? 'nearest' : 'linear';
  }
}

/** Adds crop/resize to the pipeline; returns where the result goes on the canvas for 'pad'. */
function addGeometry(img: Sharp, src: Source, g: Geometry, fastShrink: boolean): { img: Sharp; place: { top: number; left: number } | null } {
  let h = src.height;
  let w = src.width;
  const box = g.mode === 'crop' ? cropToAspectBox(h, w, g.height, g.width) : { top: 0, left: 0, height: h, width: w };
  // JPEG shrink-on-load decodes at 1/2, 1/4 or 1/8 scale in the DCT domain: fast, slightly
  // different pixels. sharp's fastShrinkOnLoad: false still does it from a 4x reduction on, but
  // skips it entirely when a region is extracted first, so a full-frame extract turns it off.
  const fullFrameOff = src.jpeg && !fastShrink;
  if (box.height !== h || box.width !== w || fullFrameOff) img = img.extract({ left: box.left, top: box.top, width: box.width, height: box.height });
  h = box.height;
  w = box.width;
  const fit = g.mode === 'pad' ? fitInside(h, w, g.height, g.width) : { top: 0, left: 0, height: g.height, width: g.width };
  const kernel = kernelFor(g.interpolation, h, w, fit.height, fit.width);
  // WebP has a scaled decode too; only JPEG's is allowed, and only when the plan says so.
  img = img.resize(fit.width, fit.height, { fit: 'fill', kernel, fastShrinkOnLoad: fastShrink && src.jpeg });
  return { img, place: g.mode === 'pad' ? { top: fit.top, left: fit.left } : null };
}

/** Alpha into colour, per plan: drop it (keeping the stored colour) or composite over white/black. */
function removeAlphaBand(data: Uint8Array, colourBands: number, alpha: DecodePlan['alpha']): Uint8Array {
  return alpha === 'drop' ? stripAlpha(data, colourBands) : flattenAlpha(data, colourBands, alpha === 'white' ? 255 : 0);
}

async function finish(source: Source, plan: DecodePlan): Promise<DecodedImage> {
  let src = source;
  const g = plan.geometry;
  // sharp's 'b-w' output keeps only the first band, losing alpha, so grey + alpha goes via sRGB.
  if (src.hasAlpha && plan.channels !== 4 && g) {
    const raw = await toRaw(src.open().toColourspace('srgb'));
    src = rawSource(removeAlphaBand(raw.data, 3, plan.alpha), raw.width, raw.height, 3, false);
  }
  let img = src.open().toColourspace(src.grey && !src.hasAlpha && plan.channels === 1 ? 'b-w' : 'srgb');
  let place: { top: number; left: number } | null = null;
  if (g) ({ img, place } = addGeometry(img, src, g, plan.fastShrink));
  if (plan.channels === 4) img = img.ensureAlpha(1);
  const out = await toRaw(img);

  let { data, bands } = out;
  if (plan.channels !== 4 && (bands === 2 || bands === 4)) {
    data = removeAlphaBand(data, bands - 1, plan.alpha);
    bands -= 1;
  }
  if (plan.channels === 1 && bands === 3) {
    data = rgbToLuma(data, false);
    bands = 1;
  }
  if (bands !== plan.channels) throw new Img2npyError('internal', `decoder produced ${bands} bands where ${plan.channels} were planned`);
  const image: DecodedImage = { data, width: out.width, height: out.height, channels: plan.channels };
  return g && place ? placeOnCanvas(image, g.height, g.width, place.top, place.left, g.padValue) : image;
}

/**
 * Decodes one image file by its content (not its extension): JPEG (baseline, progressive,
 * CMYK), PNG (grey, grey+alpha, palette with tRNS, 16-bit), GIF and WebP (first frame), TIFF,
 * AVIF and BMP. Output is HWC uint8 with `plan.channels`; rgba of an opaque image has alpha 255.
 * Values are as stored: embedded ICC profiles are ignored (as PIL, TensorFlow and OpenCV do),
 * except for CMYK, which is converted to sRGB through its profile (or libvips's generic one).
 * `geometry.antialias` is not consulted: libvips always low-passes when it reduces.
 *
 * @example
 * const img = await decodeImage('/data/cat/1.jpg', {
 *   channels: 3, alpha: 'drop', exif: true, maxPixels: 0x3fff * 0x3fff, fastShrink: true,
 *   geometry: { height: 224, width: 224, mode: 'crop', interpolation: 'bilinear', antialias: true, padValue: 0 },
 * }); // { width: 224, height: 224, channels: 3, data: Uint8Array(150528) }
 * @throws {Img2npyError} image-too-large when the header claims more than plan.maxPixels pixels
 *   (checked before any pixel is decoded); unreadable-image for empty, truncated, damaged,
 *   non-image and unsupported files, naming the file and the problem.
 */
export async function decodeImage(abs: string, plan: DecodePlan): Promise<DecodedImage> {
  let format = 'jpeg' as DecodableFormat;
  let buf: Buffer;
  try {
    buf = await readImageFile(abs, (head, size) => {
      format = checkHead(abs, head, size);
    });
  } catch (err) {
    if (err instanceof Img2npyError) throw err;
    throw unreadable(abs, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  const image = await decodeSniffed(buf, abs, format, plan);
  // Pixels that are a view of the file's bytes (no decoder hands those back today) lie in the
  // thread's read scratch: marked as such, like TurboJPEG's, for whoever keeps them to copy.
  return inReadScratch(image.data) ? { ...image, transient: true } : image;
}

/**
 * Decodes an image already in memory (an archive member) exactly as decodeImage decodes a file
 * of these bytes; `name` stands for the file in messages.
 *
 * @example
 * const img = await decodeBytes(bytes, '/data/ds.zip/cat/1.png', plan);
 * @throws {Img2npyError} as decodeImage.
 */
export async function decodeBytes(bytes: Buffer, name: string, plan: DecodePlan): Promise<DecodedImage> {
  return decodeSniffed(bytes, name, checkHead(name, bytes.subarray(0, headLength), bytes.length), plan);
}

/** The format of a file from its first bytes; refuses non-images and sizes its header cannot explain. */
function checkHead(abs: string, head: Buffer, size: number): DecodableFormat {
  const sniffed = sniffFormat(head.subarray(0, sniffLength));
  if (!sniffed.ok) throw unreadable(abs, sniffed.problem);
  const most = size > head.length ? plausibleBytes(sniffed.format, head) : null;
  if (most !== null && size > most) {
    throw unreadable(abs, `${formatBytes(size)} is far more than its ${formatLabels[sniffed.format]} header says it could need (${formatBytes(most)}); not read`);
  }
  return sniffed.format;
}

async function decodeSniffed(buf: Buffer, abs: string, format: DecodableFormat, plan: DecodePlan): Promise<DecodedImage> {
  if (format === 'png') {
    const fast = fastPng(buf, plan);
    if (fast) return fast;
  }
  const cost = format === 'jpeg' ? jpegDecodeCost(jpegFrame(buf)) : 0;
  const release = await decodeMemory().acquire(cost);
  try {
    if (format === 'jpeg') {
      const fast = await decodeJpegFast(buf, abs, plan);
      if (fast) return fast;
    }
    return await decodeWithSharp(buf, abs, format, plan);
  } finally {
    release();
  }
}

/**
 * Small PNGs decoded in JS (png.ts) without sharp's per-image pipeline cost, then fitted as
 * fitLoaded does; null when sharp must decode (see decodePngFast).
 */
function fastPng(buf: Buffer, plan: DecodePlan): DecodedImage | null {
  const limit = plan.maxPixels > 0 ? Math.min(plan.maxPixels, fastPngMaxPixels) : fastPngMaxPixels;
  const px = decodePngFast(buf, { exif: plan.exif, maxPixels: limit });
  return px ? fitLoaded(px, plan, 'img2npy PNG reader') : null;
}

/**
 * Pixels a reader of ours loaded (PNG, BMP) to the plan's channels and geometry, resized when
 * the plan asks with the Pillow-style resampler (geometry/fit.ts) rather than through a sharp
 * pipeline, whose set-up costs more than small images' whole decode. Null for alpha kept into
 * rgba through a resize (Pillow and libvips resample premultiplied alpha; that stays with
 * sharp). A geometry whose size equals the image's is the identity in every mode, as it is on
 * the sharp path.
 */
function fitLoaded(px: LoadedPng, plan: DecodePlan, decoder: string): DecodedImage | null {
  const g = plan.geometry;
  if (!g || (g.height === px.height && g.width === px.width)) {
    return { data: toPlanChannels(px, plan), width: px.width, height: px.height, channels: plan.channels, decoder };
  }
  const hasAlpha = px.bands === 2 || px.bands === 4;
  if (hasAlpha && plan.channels === 4) return null;
  const colour = hasAlpha ? px.bands - 1 : px.bands;
  const opaque = hasAlpha ? removeAlphaBand(px.data, colour, plan.alpha) : px.data;
  const fitted = applyFit({ data: opaque, width: px.width, height: px.height, bands: colour }, fitPlan(px.height, px.width, g), g);
  let data = fitted.data;
  if (plan.channels === 1 && colour === 3) data = rgbToLuma(data, false);
  else if (plan.channels !== colour) data = widen(data, colour, false, plan.channels as 3 | 4);
  return { data, width: fitted.width, height: fitted.height, channels: plan.channels, decoder };
}

/**
 * Loaded bands to the plan's channels exactly as finish() does without geometry: grey is
 * repeated into rgb, alpha is dropped or composited per plan (the same helpers), rgb becomes
 * luma, and rgba output of an opaque image gets alpha 255.
 */
function toPlanChannels(px: LoadedPng, plan: DecodePlan): Uint8Array {
  const hasAlpha = px.bands === 2 || px.bands === 4;
  const colour = hasAlpha ? px.bands - 1 : px.bands;
  let data = px.data;
  if (plan.channels === 4) return widen(data, colour, hasAlpha, 4);
  if (hasAlpha) data = removeAlphaBand(data, colour, plan.alpha);
  if (plan.channels === 1) return colour === 3 ? rgbToLuma(data, false) : data;
  return colour === 1 ? widen(data, 1, false, 3) : data;
}

/**
 * The sharp path for bytes already read and sniffed (decodeImage minus the PNG fast path);
 * exported so tests can hold the fast path to it byte for byte.
 *
 * @throws {Img2npyError} as decodeImage.
 */
export async function decodeWithSharp(buf: Buffer, abs: string, format: DecodableFormat, plan: DecodePlan): Promise<DecodedImage> {
  let damage: string | null = null;
  try {
    return await sharpDecode(buf, abs, format, plan, format === 'jpeg');
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    if (format === 'jpeg' && !(err instanceof Img2npyError)) damage = jpegDamageFromSharp(raw);
    if (damage === null) throw fromSharpError(abs, format, err, buf);
    if (!plan.allowDamaged) throw damagedJpeg(abs, damage, buf);
  }
  // Kept (--allow-damaged): decoded again past libjpeg's warnings, and listed as damaged. The
  // first strict pass is how the damage is known at all: sharp reports no warnings otherwise.
  try {
    return { ...(await sharpDecode(buf, abs, format, plan, false)), damage: damage ?? undefined };
  } catch (err) {
    throw fromSharpError(abs, format, err, buf);
  }
}

async function sharpDecode(buf: Buffer, abs: string, format: DecodableFormat, plan: DecodePlan, failOnWarning: boolean): Promise<DecodedImage> {
  if (format === 'bmp') {
    const bmp = decodeBmp(buf, abs, plan.maxPixels);
    // Up to the PNG reader's size, so that a BMP and a PNG of the same pixels give the same
    // array; above it sharp resizes, faster than the resampler on a fresh copy of a large image.
    const loaded = { data: bmp.data, width: bmp.width, height: bmp.height, bands: bmp.channels };
    const fitted = bmp.width * bmp.height <= fastPngMaxPixels ? fitLoaded(loaded, plan, 'img2npy BMP reader') : null;
    return fitted ?? finish(rawSource(bmp.data, bmp.width, bmp.height, bmp.channels, false), plan);
  }
  return finish(await encodedSource(buf, abs, format, plan, failOnWarning), plan);
}
