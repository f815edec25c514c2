/**
 * Fixture images generated on the fly with known pixels: sharp encodes the common formats, and
 * small writers here produce what sharp cannot (BMP variants, exact palette/16-bit PNGs, a
 * header-only decompression bomb). Everything is tiny, so a whole set takes well under 2 s.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Interleaved uint8 pixels, top row first. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}
export type Rgb = [number, number, number];
export const encodedFormats = ['jpg', 'png', 'webp', 'tif', 'gif', 'bmp', 'avif'] as const;
export type EncodedFormat = (typeof encodedFormats)[number];

export function solid(width: number, height: number, colour: number[]): Pixels {
  const channels = colour.length as Pixels['channels'];
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = colour[i % channels];
  return { width, height, channels, data };
}

/** r = round(255·x/(w−1)), g = round(255·y/(h−1)), b = 128: every pixel known from (x, y). */
export function gradientAt(x: number, y: number, width: number, height: number): Rgb {
  return [Math.round((255 * x) / Math.max(1, width - 1)), Math.round((255 * y) / Math.max(1, height - 1)), 128];
}

export function gradient(width: number, height: number): Pixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(gradientAt(x, y, width, height), (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

/** Encodes with sharp (lossless where the codec allows, 4:4:4 JPEG at quality 100) or as BMP. */
export async function encode(px: Pixels, format: EncodedFormat): Promise<Buffer> {
  if (format === 'bmp') {
    if (px.channels !== 3) throw new Error('encode bmp: use encodeBmp for other layouts');
    return encodeBmp({ width: px.width, height: px.height, bpp: 24, rgb: px.data });
  }
  const img = sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels } });
  switch (format) {
    case 'jpg': return img.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'png': return img.png().toBuffer();
    case 'webp': return img.webp({ lossless: true }).toBuffer();
    case 'tif': return img.tiff({ compression: 'lzw' }).toBuffer();
    case 'gif': return img.gif({ dither: 0 }).toBuffer();
    case 'avif': return img.avif({ lossless: true }).toBuffer();
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  let c = 0xffffffff;
  for (const b of body) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0, body.length + 4);
  return out;
}

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 rgb, 3 palette, 4 grey+alpha, 6 rgba. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 8 | 16;
  /** Samples, row-major (indices for palette). */
  samples: ArrayLike<number>;
  palette?: Rgb[];
  /** Alpha per palette entry. */
  trns?: number[];
  /** Header height to claim instead of `height` (the bomb). */
  claimHeight?: number;
  claimWidth?: number;
}

/** A PNG written byte by byte, so palette, tRNS and 16-bit samples are exactly what we say. */
export function encodePng(s: PngSpec): Buffer {
  const perPixel = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[s.colorType];
  const bytes = s.bitDepth / 8;
  const stride = s.width * perPixel * bytes;
  const raw = Buffer.alloc((stride + 1) * s.height);
  for (let y = 0; y < s.height; y++) {
    for (let i = 0; i < s.width * perPixel; i++) {
      const v = s.samples[y * s.width * perPixel + i];
      const at = y * (stride + 1) + 1 + i * bytes;
      if (bytes === 2) raw.writeUInt16BE(v, at);
      else raw[at] = v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(s.claimWidth ?? s.width, 0);
  ihdr.writeUInt32BE(s.claimHeight ?? s.height, 4);
  ihdr[8] = s.bitDepth;
  ihdr[9] = s.colorType;
  const parts = [Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr)];
  if (s.palette) parts.push(chunk('PLTE', Uint8Array.from(s.palette.flat())));
  if (s.trns) parts.push(chunk('tRNS', Uint8Array.from(s.trns)));
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

export interface BmpSpec {
  width: number;
  height: number;
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  /** RGB (or RGBA when masks.a is set) pixels for bpp ≥ 16, top row first. */
  rgb?: Uint8Array;
  /** Palette indices for bpp ≤ 8, top row first. */
  indices?: Uint8Array;
  palette?: Rgb[];
  /** 'rle' = RLE8 / RLE4 by bpp; 'bitfields' = BI_BITFIELDS with `masks`. */
  compression?: 'rgb' | 'rle' | 'bitfields' | 'jpeg';
  masks?: { r: number; g: number; b: number; a?: number };
  topDown?: boolean;
  /** Header kind: OS/2 core (12), INFO (40), V4 (108, with masks inside). */
  header?: 'core' | 'info' | 'v4';
  /** 32-bit BI_RGB: value of the unused fourth byte. */
  filler?: number;
}

function rleRows(indices: Uint8Array, width: number, height: number, bits: 4 | 8): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    const row = indices.subarray(y * width, (y + 1) * width);
    let x = 0;
    while (x < width) {
      let run = 1;
      while (x + run < width && row[x + run] === row[x] && run < 255) run++;
      let lit = 0;
      while (x + lit < width && lit < 255 && (x + lit + 1 >= width || row[x + lit + 1] !== row[x + lit])) lit++;
      if (run === 1 && lit >= 3) {
        out.push(0, lit);
        const bytes = bits === 8 ? Array.from(row.subarray(x, x + lit)) : [];
        if (bits === 4) for (let i = 0; i < lit; i += 2) bytes.push((row[x + i] << 4) | (i + 1 < lit ? row[x + i + 1] : 0));
        out.push(...bytes);
        if (bytes.length % 2) out.push(0);
        x += lit;
      } else {
        out.push(run, bits === 8 ? row[x] : (row[x] << 4) | row[x]);
        x += run;
      }
    }
    out.push(0, y === height - 1 ? 1 : 0);
  }
  return out;
}

/** A BMP file; rows go bottom-up unless `topDown`. */
export function encodeBmp(s: BmpSpec): Buffer {
  const header = s.header ?? (s.compression === 'bitfields' && s.masks?.a ? 'v4' : 'info');
  const hsize = { core: 12, info: 40, v4: 108 }[header];
  const comp = { rgb: 0, rle: s.bpp === 8 ? 1 : 2, bitfields: 3, jpeg: 4 }[s.compression ?? 'rgb'];
  const pal = s.bpp <= 8 ? s.palette ?? [] : [];
  const entry = header === 'core' ? 3 : 4;
  const extraMasks = comp === 3 && header === 'info' ? 12 : 0;
  const stride = Math.floor((s.bpp * s.width + 31) / 32) * 4;
  const order = (y: number) => (s.topDown ? y : s.height - 1 - y);
  let pixels: Buffer;
  if (comp === 1 || comp === 2) {
    const flipped = new Uint8Array(s.width * s.height);
    for (let y = 0; y < s.height; y++) flipped.set(s.indices!.subarray(order(y) * s.width, (order(y) + 1) * s.width), y * s.width);
    pixels = Buffer.from(rleRows(flipped, s.width, s.height, s.bpp as 4 | 8));
  } else {
    pixels = Buffer.alloc(stride * s.height);
    const m = s.masks ?? (s.bpp === 16 ? { r: 0x7c00, g: 0x3e0, b: 0x1f } : { r: 0xff0000, g: 0xff00, b: 0xff });
    const pack = (v: number, mask = 0) => {
      if (!mask) return 0;
      const shift = 31 - Math.clz32(mask & -mask);
      return Math.round((v * (mask >>> shift)) / 255) * 2 ** shift;
    };
    const ch = s.masks?.a ? 4 : 3;
    for (let y = 0; y < s.height; y++) {
      const row = order(y) * stride;
      for (let x = 0; x < s.width; x++) {
        const at = row + Math.floor((x * s.bpp) / 8);
        if (s.bpp <= 8) pixels[at] |= s.indices![y * s.width + x] << (8 - s.bpp * ((x % (8 / s.bpp)) + 1));
        else if (s.bpp === 24) pixels.set([2, 1, 0].map((c) => s.rgb![(y * s.width + x) * 3 + c]), at);
        else {
          const p = s.rgb!.subarray((y * s.width + x) * ch, (y * s.width + x + 1) * ch);
          const v = comp === 3 ? pack(p[0], m.r) + pack(p[1], m.g) + pack(p[2], m.b) + pack(p[3] ?? 0, s.masks?.a) : pack(p[0], m.r) + pack(p[1], m.g) + pack(p[2], m.b);
          if (s.bpp === 16) pixels.writeUInt16LE(v, at);
          else pixels.writeUInt32LE(comp === 3 ? v >>> 0 : (v + (s.filler ?? 0) * 2 ** 24) >>> 0, at);
        }
      }
    }
  }
  const offset = 14 + hsize + extraMasks + pal.length * entry;
  const buf = Buffer.alloc(offset + pixels.length);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(hsize, 14);
  if (header === 'core') {
    buf.writeUInt16LE(s.width, 18);
    buf.writeInt16LE(s.topDown ? -s.height : s.height, 20);
    buf.writeUInt16LE(1, 22);
    buf.writeUInt16LE(s.bpp, 24);
  } else {
    buf.writeInt32LE(s.width, 18);
    buf.writeInt32LE(s.topDown ? -s.height : s.height, 22);
    buf.writeUInt16LE(1, 26);
    buf.writeUInt16LE(s.bpp, 28);
    buf.writeUInt32LE(comp, 30);
    buf.writeUInt32LE(pixels.length, 34);
    buf.writeUInt32LE(pal.length, 46);
    if (comp === 3 && s.masks) {
      const at = header === 'info' ? 14 + hsize : 54;
      [s.masks.r, s.masks.g, s.masks.b].forEach((v, i) => buf.writeUInt32LE(v >>> 0, at + i * 4));
      if (header === 'v4') buf.writeUInt32LE((s.masks.a ?? 0) >>> 0, 66);
    }
  }
  pal.forEach(([r, g, b], i) => buf.set(entry === 4 ? [b, g, r, 0] : [b, g, r], 14 + hsize + extraMasks + i * entry));
  pixels.copy(buf, offset);
  return buf;
}

/** 16×8 with the left half red and the right half blue, for EXIF orientation checks. */
export function halves(): Pixels {
  const px = solid(16, 8, [0, 0, 255]);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) px.data.set([255, 0, 0], (y * 16 + x) * 3);
  return px;
}

/** Frames stacked vertically; GIF writes them as an animation. */
export async function animatedGif(width: number, height: number, colours: Rgb[]): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3 * colours.length);
  colours.forEach((c, f) => data.set(solid(width, height, c).data, f * width * height * 3));
  return sharp(data, { raw: { width, height: height * colours.length, channels: 3, pageHeight: height } }).gif({ dither: 0 }).toBuffer();
}

/** Colour of image `file` of class `cls` in `makeClassFolder`: distinct per image, exact in lossless formats. */
export function fixtureColour(cls: number, file: number): Rgb {
  return [(40 + 60 * cls) % 256, (20 + 30 * file) % 256, (200 + 256 - ((20 * cls + 10 * file) % 256)) % 256];
}

export interface ClassFixture {
  rel: string;
  abs: string;
  className: string;
  format: EncodedFormat;
  colour: Rgb;
}

/**
 * Writes root/<class>/<nnn>.<ext> solid-colour images (colours from `fixtureColour`), formats
 * cycled per image.
 *
 * @example
 * await makeClassFolder(dir, { classes: { cat: 3, dog: 2 }, formats: ['png', 'jpg'] });
 */
export async function makeClassFolder(
  root: string,
  spec: { classes: Record<string, number>; formats?: EncodedFormat[]; width?: number; height?: number },
): Promise<ClassFixture[]> {
  const formats = spec.formats ?? ['png'];
  const out: ClassFixture[] = [];
  for (const [ci, [className, count]] of Object.entries(spec.classes).entries()) {
    await mkdir(join(root, className), { recursive: true });
    for (let i = 0; i < count; i++) {
      const format = formats[(ci + i) % formats.length];
      const colour = fixtureColour(ci, i);
      const rel = `${className}/${String(i).padStart(3, '0')}.${format}`;
      const abs = join(root, rel);
      await writeFile(abs, await encode(solid(spec.width ?? 8, spec.height ?? 6, colour), format));
      out.push({ rel, abs, className, format, colour });
    }
  }
  return out;
}

export type AwkwardFixture = { abs: string; rel: string } & (
  | { expect: 'ok'; width: number; height: number; /** rgb, alpha dropped, EXIF applied */ topLeft: Rgb; tolerance: number }
  | { expect: 'skip'; code: 'unreadable-image' | 'image-too-large'; message: RegExp }
);

/**
 * Writes the awkward set into root/<className>/ and says what decoding each must give (rgb,
 * alpha 'drop', EXIF on, the default max pixels). Keys are file names.
 *
 * @example
 * const set = await makeAwkwardFolder(dir); // set['exif-6.jpg'] = { expect: 'ok', width: 8, height: 16, ... }
 */
export async function makeAwkwardFolder(root: string, className = 'awkward'): Promise<Record<string, AwkwardFixture>> {
  const jpeg = (px: Pixels) => sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels } }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' });
  const full = await jpeg(gradient(32, 32)).toBuffer();
  const deep16 = encodePng({ width: 2, height: 1, colorType: 2, bitDepth: 16, samples: [32896, 257 * 7, 65280, 65535, 383, 400] });
  const ok = (width: number, height: number, topLeft: Rgb, tolerance = 0) => ({ expect: 'ok' as const, width, height, topLeft, tolerance });
  const skip = (code: 'unreadable-image' | 'image-too-large', message: RegExp) => ({ expect: 'skip' as const, code, message });
  const files: Record<string, [Buffer | Promise<Buffer>, ReturnType<typeof ok> | ReturnType<typeof skip>]> = {
    'gray.png': [encodePng({ width: 4, height: 3, colorType: 0, bitDepth: 8, samples: Array.from({ length: 12 }, (_, i) => 10 + 20 * i) }), ok(4, 3, [10, 10, 10])],
    'gray-alpha.png': [encodePng({ width: 2, height: 2, colorType: 4, bitDepth: 8, samples: [200, 0, 200, 85, 200, 170, 200, 255] }), ok(2, 2, [200, 200, 200])],
    'palette-trns.png': [encodePng({ width: 3, height: 1, colorType: 3, bitDepth: 8, samples: [0, 1, 2], palette: [[255, 0, 0], [0, 255, 0], [0, 0, 255]], trns: [0, 128] }), ok(3, 1, [255, 0, 0])],
    '16bit.png': [deep16, ok(2, 1, [128, 7, 254])],
    // sharp keeps 16 bits in TIFF only from a 16-bit input, as rgb16, without its default JPEG compression.
    'deep16.tif': [sharp(deep16).toColourspace('rgb16').tiff({ compression: 'lzw' }).toBuffer(), ok(2, 1, [128, 7, 254])],
    // No profile: converted as PIL and TensorFlow do (PIL reads 113,150,168), not through a generic profile.
    'cmyk.jpg': [jpeg(solid(8, 8, [120, 140, 160])).toColourspace('cmyk').toBuffer(), ok(8, 8, [113, 150, 168], 1)],
    'progressive.jpg': [sharp(full).jpeg({ quality: 100, progressive: true, chromaSubsampling: '4:4:4' }).toBuffer(), ok(32, 32, [0, 0, 128], 4)],
    'animated.gif': [animatedGif(6, 4, [[255, 0, 0], [0, 255, 0], [0, 0, 255]]), ok(6, 4, [255, 0, 0])],
    'exif-6.jpg': [jpeg(halves()).withMetadata({ orientation: 6 }).toBuffer(), ok(8, 16, [255, 0, 0], 4)],
    'exif-3.jpg': [jpeg(halves()).withMetadata({ orientation: 3 }).toBuffer(), ok(16, 8, [0, 0, 255], 4)],
    'image.webp': [encode(gradient(5, 4), 'webp'), ok(5, 4, [0, 0, 128])],
    'image.avif': [encode(gradient(5, 4), 'avif'), ok(5, 4, [0, 0, 128], 4)],
    'png-named.jpg': [encode(solid(3, 2, [1, 2, 3]), 'png'), ok(3, 2, [1, 2, 3])],
    'rle8.bmp': [encodeBmp({ width: 5, height: 2, bpp: 8, compression: 'rle', palette: [[9, 8, 7], [250, 0, 5]], indices: Uint8Array.of(0, 0, 0, 1, 0, 1, 1, 1, 1, 1) }), ok(5, 2, [9, 8, 7])],
    'rgb565.bmp': [encodeBmp({ width: 3, height: 2, bpp: 16, compression: 'bitfields', masks: { r: 0xf800, g: 0x7e0, b: 0x1f }, rgb: solid(3, 2, [255, 0, 255]).data }), ok(3, 2, [255, 0, 255])],
    'alpha32.bmp': [encodeBmp({ width: 2, height: 2, bpp: 32, compression: 'bitfields', masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 }, rgb: solid(2, 2, [10, 20, 30, 40]).data }), ok(2, 2, [10, 20, 30])],
    'truncated.jpg': [full.subarray(0, Math.floor(full.length / 2)), skip('unreadable-image', /truncated JPEG/)],
    'empty.jpg': [Buffer.alloc(0), skip('unreadable-image', /empty file/)],
    'text.jpg': [Buffer.from('hello, this is not a picture\n'), skip('unreadable-image', /not an image \(starts with 'hello, this/)],
    'zip.jpg': [Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'), skip('unreadable-image', /not an image \(starts with 'PK'\)/)],
    'bomb.png': [encodePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, samples: [0], claimWidth: 30000, claimHeight: 30000 }), skip('image-too-large', /30000x30000/)],
    'bmp-jpeg.bmp': [encodeBmp({ width: 2, height: 2, bpp: 24, compression: 'jpeg', rgb: solid(2, 2, [0, 0, 0]).data }), skip('unreadable-image', /BMP compression 4 \(embedded JPEG\)/)],
  };
  await mkdir(join(root, className), { recursive: true });
  const out: Record<string, AwkwardFixture> = {};
  await Promise.all(
    Object.entries(files).map(async ([name, [bytes, expected]]) => {
      const rel = `${className}/${name}`;
      const abs = join(root, rel);
      await writeFile(abs, await bytes);
      out[name] = { abs, rel, ...expected };
    }),
  );
  return out;
}
