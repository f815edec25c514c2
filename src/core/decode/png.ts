/**
 * A small PNG reader for the decoder's fast path: sharp/libvips spends about a millisecond
 * setting up a pipeline per image, which dominates for thumbnails such as 28×28 MNIST files.
 *
 * It returns the pixels as libvips (libpng) loads them, 8 bits per sample:
 * grey, grey+alpha, rgb or rgba. Sub-byte grey is scaled to 0-255 (v·255/(2^depth − 1)), palette
 * and tRNS become rgb/rgba, and 16-bit samples are rounded with `to8Bit`, as the sharp path does.
 * Values are as stored: gAMA, cHRM, sRGB, iCCP and sBIT are ignored there too.
 *
 * Adam7-interlaced files are read pass by pass and put back in place, as libpng does.
 *
 * It never throws and never guesses: anything it does not read exactly as libpng would
 * (a bad CRC, a truncated or damaged stream, out-of-range tRNS or palette indices,
 * EXIF when orientation matters, large images) answers null, and the caller decodes the bytes
 * with sharp, which then gives its own pixels or its own error.
 */
import { crc32, inflateSync } from 'node:zlib';
import { to8Bit } from './pixels.js';
import { inflateInto } from './zlib-native.js';

/** Pixels as libvips would load them: 8-bit, 1 (grey), 2 (grey+alpha), 3 (rgb) or 4 (rgba) bands. */
export interface LoadedPng {
  data: Uint8Array;
  width: number;
  height: number;
  bands: 1 | 2 | 3 | 4;
}

export interface PngFastOptions {
  /** EXIF orientation will be applied: PNGs that may carry EXIF or XMP are left to sharp. */
  exif: boolean;
  /** Largest pixel count to decode here (the plan's limit and the fast path's own cap). */
  maxPixels: number;
}

/**
 * Above this many pixels sharp is used even for simple PNGs: its per-image cost no longer
 * dominates, and it decodes on libuv's threads while this reader holds the JS thread.
 */
export const fastPngMaxPixels = 512 * 512;

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const samplesPerPixel: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const depthsAllowed: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

const type = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  palette: Uint8Array | null;
  /** Alpha per palette entry (colour type 3), or the transparent grey / r,g,b samples (0, 2). */
  trns: Uint8Array | null;
  idat: Uint8Array[];
  interlaced: boolean;
}

/** Walks the chunks; null when anything is outside what this reader takes on. */
function readChunks(buf: Uint8Array, opts: PngFastOptions): Header | null {
  if (buf.length < 8 || signature.some((v, i) => buf[i] !== v)) return null;
  let h: Header | null = null;
  let idatDone = false;
  let end = false;
  for (let at = 8; !end; ) {
    if (at + 12 > buf.length) return null;
    const len = u32(buf, at);
    const name = type(buf, at + 4);
    const dataAt = at + 8;
    if (len > 0x7fffffff || dataAt + len + 4 > buf.length) return null;
    // Bad CRCs are left to sharp: libpng drops an ancillary chunk with a bad CRC (a tRNS among
    // them) and refuses a critical one.
    if (crc32(buf.subarray(at + 4, dataAt + len)) !== u32(buf, dataAt + len)) return null;
    const data = buf.subarray(dataAt, dataAt + len);
    at = dataAt + len + 4;
    if (name === 'IHDR') {
      if (h || len !== 13) return null;
      const colorType = data[9];
      const depth = data[8];
      if (!depthsAllowed[colorType]?.includes(depth) || data[10] !== 0 || data[11] !== 0 || data[12] > 1) return null;
      h = { width: u32(data, 0), height: u32(data, 4), depth, colorType, palette: null, trns: null, idat: [], interlaced: data[12] === 1 };
      if (h.width === 0 || h.height === 0 || h.width * h.height > opts.maxPixels) return null;
      continue;
    }
    if (!h) return null;
    if (h.idat.length > 0 && name !== 'IDAT') idatDone = true;
    switch (name) {
      case 'IDAT':
        if (idatDone) return null;
        h.idat.push(data);
        break;
      case 'IEND':
        end = true;
        break;
      case 'PLTE':
        if (h.palette || h.trns || h.idat.length > 0 || len === 0 || len % 3 !== 0 || len > 768) return null;
        if (h.colorType === 0 || h.colorType === 4) return null;
        h.palette = data;
        break;
      case 'tRNS':
        if (h.trns || h.idat.length > 0 || !trnsValid(h, data)) return null;
        h.trns = data;
        break;
      case 'eXIf':
        if (opts.exif) return null;
        break;
      case 'tEXt':
      case 'zTXt':
      case 'iTXt':
        if (opts.exif && /exif|xmp/i.test(keyword(data))) return null;
        break;
      default:
        // An unknown critical chunk (upper-case first letter) is an error for libpng.
        if ((buf[dataAt - 4] & 0x20) === 0) return null;
    }
  }
  if (!h || h.idat.length === 0 || (h.colorType === 3 && !h.palette)) return null;
  return h;
}

function keyword(data: Uint8Array): string {
  const nul = data.indexOf(0);
  return String.fromCharCode(...data.subarray(0, nul < 0 ? Math.min(data.length, 80) : nul));
}

/** tRNS that libpng would apply as is (it masks out-of-range samples and drops bad lengths). */
function trnsValid(h: Header, data: Uint8Array): boolean {
  const max = (1 << h.depth) - 1;
  switch (h.colorType) {
    case 3:
      return h.palette !== null && data.length > 0 && data.length <= h.palette.length / 3;
    case 0:
      return data.length === 2 && u16(data, 0) <= max;
    case 2:
      return data.length === 6 && u16(data, 0) <= max && u16(data, 2) <= max && u16(data, 4) <= max;
    default:
      return false;
  }
}

/** One reduced image of the filtered stream: every dx-th pixel from x0 of every dy-th row from y0, at byte `at`. */
interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
  rowBytes: number;
  at: number;
}

/** Adam7's seven passes: first column and row, then the steps between columns and rows. */
const adam7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * Where each pass lies in the inflated stream: the whole image as one pass, or Adam7's seven,
 * of which those with no pixel (in images under 5 pixels wide or high) take no bytes, not even
 * filter bytes.
 */
function passesOf(h: Header, bitsPerPixel: number): Pass[] {
  const steps = h.interlaced ? adam7 : ([[0, 0, 1, 1]] as const);
  const passes: Pass[] = [];
  let at = 0;
  for (const [x0, y0, dx, dy] of steps) {
    const width = Math.ceil((h.width - x0) / dx);
    const height = Math.ceil((h.height - y0) / dy);
    if (width <= 0 || height <= 0) continue;
    const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
    passes.push({ x0, y0, dx, dy, width, height, rowBytes, at });
    at += (rowBytes + 1) * height;
  }
  return passes;
}

/**
 * The unfiltered passes put back as the rows of a non-interlaced image (a zero filter byte
 * before each row of `rowBytes`), which `expand` then reads as it reads any other.
 */
function deinterlace(raw: Uint8Array, passes: readonly Pass[], h: Header, rowBytes: number, bitsPerPixel: number): Uint8Array {
  const stride = rowBytes + 1;
  const out = new Uint8Array(stride * h.height);
  const bytes = bitsPerPixel >> 3;
  const mask = (1 << bitsPerPixel) - 1;
  for (const p of passes) {
    for (let y = 0; y < p.height; y++) {
      const from = p.at + y * (p.rowBytes + 1) + 1;
      const to = (p.y0 + y * p.dy) * stride + 1;
      for (let x = 0, ox = p.x0; x < p.width; x++, ox += p.dx) {
        if (bytes > 0) {
          for (let b = 0, s = from + x * bytes, d = to + ox * bytes; b < bytes; b++) out[d + b] = raw[s + b];
        } else {
          // Sub-byte grey or palette indices: pixels packed from each byte's high bits.
          const sb = x * bitsPerPixel;
          const db = ox * bitsPerPixel;
          const v = (raw[from + (sb >> 3)] >> (8 - bitsPerPixel - (sb & 7))) & mask;
          out[to + (db >> 3)] |= v << (8 - bitsPerPixel - (db & 7));
        }
      }
    }
  }
  return out;
}

/** Reverses the per-row filters in place; false on an unknown filter type. */
function unfilter(raw: Uint8Array, height: number, rowBytes: number, bpp: number): boolean {
  const stride = rowBytes + 1;
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    const end = row + rowBytes;
    const f = raw[row - 1];
    // The first row's "up" row is zeros: Up is None there, Average halves the left byte,
    // and Paeth's predictor is the left byte (that is Sub).
    if (y === 0 && f >= 2) {
      if (f === 3) for (let i = row + bpp; i < end; i++) raw[i] = (raw[i] + (raw[i - bpp] >> 1)) & 0xff;
      else if (f === 4) for (let i = row + bpp; i < end; i++) raw[i] = (raw[i] + raw[i - bpp]) & 0xff;
      else if (f !== 2) return false;
      continue;
    }
    const up = row - stride;
    switch (f) {
      case 0:
        break;
      case 1:
        for (let i = row + bpp; i < end; i++) raw[i] = (raw[i] + raw[i - bpp]) & 0xff;
        break;
      case 2:
        for (let i = row, u = up; i < end; i++, u++) raw[i] = (raw[i] + raw[u]) & 0xff;
        break;
      case 3:
        for (let i = row, u = up; i < row + bpp; i++, u++) raw[i] = (raw[i] + (raw[u] >> 1)) & 0xff;
        for (let i = row + bpp, u = up + bpp; i < end; i++, u++) raw[i] = (raw[i] + ((raw[i - bpp] + raw[u]) >> 1)) & 0xff;
        break;
      case 4:
        // Left and upper-left are zero for the first pixel, so Paeth predicts "up".
        for (let i = row, u = up; i < row + bpp; i++, u++) raw[i] = (raw[i] + raw[u]) & 0xff;
        for (let i = row + bpp, u = up + bpp; i < end; i++, u++) {
          const a = raw[i - bpp];
          const b = raw[u];
          const c = raw[u - bpp];
          let pa = b - c;
          let pb = a - c;
          let pc = pa + pb;
          if (pa < 0) pa = -pa;
          if (pb < 0) pb = -pb;
          if (pc < 0) pc = -pc;
          raw[i] = (raw[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Unfiltered rows → libvips's 8-bit bands; null on a palette index past the palette. */
function expand(raw: Uint8Array, h: Header, rowBytes: number): LoadedPng | null {
  const { width, height, depth, colorType, palette, trns } = h;
  const stride = rowBytes + 1;
  const n = width * height;
  if (depth === 16) {
    const spp = samplesPerPixel[colorType];
    const alpha = trns !== null;
    const outSpp = spp + (alpha ? 1 : 0);
    const deep = new Uint16Array(n * outSpp);
    const key = alpha ? Array.from({ length: spp }, (_, c) => u16(trns, c * 2)) : [];
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0, s = y * stride + 1; x < width; x++) {
        let opaque = false;
        for (let c = 0; c < spp; c++, s += 2) {
          const v = (raw[s] << 8) | raw[s + 1];
          deep[o++] = v;
          if (alpha && v !== key[c]) opaque = true;
        }
        if (alpha) deep[o++] = opaque ? 65535 : 0;
      }
    }
    return { data: to8Bit(deep), width, height, bands: outSpp as LoadedPng['bands'] };
  }
  if (colorType === 3) return expandPalette(raw, h, rowBytes);
  if (colorType === 0 && (depth < 8 || trns)) {
    const scale = 255 / ((1 << depth) - 1);
    const mask = (1 << depth) - 1;
    const key = trns ? u16(trns, 0) : -1;
    const bands = trns ? 2 : 1;
    const out = new Uint8Array(n * bands);
    for (let y = 0, o = 0; y < height; y++) {
      const row = y * stride + 1;
      for (let x = 0; x < width; x++) {
        const bit = x * depth;
        const v = (raw[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
        out[o++] = v * scale;
        if (trns) out[o++] = v === key ? 0 : 255;
      }
    }
    return { data: out, width, height, bands: bands as 1 | 2 };
  }
  if (colorType === 2 && trns) {
    const [r, g, b] = [u16(trns, 0), u16(trns, 2), u16(trns, 4)];
    const out = new Uint8Array(n * 4);
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0, s = y * stride + 1; x < width; x++, s += 3) {
        out[o++] = raw[s];
        out[o++] = raw[s + 1];
        out[o++] = raw[s + 2];
        out[o++] = raw[s] === r && raw[s + 1] === g && raw[s + 2] === b ? 0 : 255;
      }
    }
    return { data: out, width, height, bands: 4 };
  }
  // 8-bit grey, grey+alpha, rgb, rgba: the rows without their filter bytes.
  const bands = samplesPerPixel[colorType] as LoadedPng['bands'];
  const out = new Uint8Array(n * bands);
  for (let y = 0, o = 0; y < height; y++) for (let s = y * stride + 1, e = s + rowBytes; s < e; ) out[o++] = raw[s++];
  return { data: out, width, height, bands };
}

function expandPalette(raw: Uint8Array, h: Header, rowBytes: number): LoadedPng | null {
  const { width, height, depth, palette, trns } = h;
  const entries = palette!.length / 3;
  const bands = trns ? 4 : 3;
  // One rgb(a) entry per index; entries past the tRNS list are opaque.
  const lut = new Uint8Array(entries * bands);
  for (let i = 0; i < entries; i++) {
    lut.set(palette!.subarray(i * 3, i * 3 + 3), i * bands);
    if (trns) lut[i * 4 + 3] = i < trns.length ? trns[i] : 255;
  }
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(width * height * bands);
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * (rowBytes + 1) + 1;
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const v = (raw[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
      if (v >= entries) return null;
      for (let c = 0, l = v * bands; c < bands; c++) out[o++] = lut[l + c];
    }
  }
  return { data: out, width, height, bands };
}

/**
 * This thread's inflate buffer: the filtered rows never leave the reader (expand copies them
 * out), so one grow-only buffer serves every image.
 */
let inflated = new Uint8Array(0);

/** The filtered rows, exactly `expected` bytes of them, or null (damaged, short or too long). */
function inflateExactly(stream: Uint8Array, expected: number): Uint8Array | null {
  // One byte of room past the rows tells a stream that is too long from one that fits exactly.
  if (inflated.length < expected + 1) inflated = new Uint8Array(expected + 1);
  const n = inflateInto(stream, inflated);
  if (n !== null) return n === expected ? inflated.subarray(0, expected) : null;
  const raw = inflateSync(stream, { maxOutputLength: expected });
  return raw.length === expected ? raw : null;
}

/**
 * Decodes a PNG whose pixels this reader can give exactly as the sharp path
 * loads them, or returns null to say "use sharp" (see the module comment for when).
 *
 * @example
 * const px = decodePngFast(await readFile('/data/0/1.png'), { exif: true, maxPixels: fastPngMaxPixels });
 * // { width: 28, height: 28, bands: 1, data: Uint8Array(784) } or null
 */
export function decodePngFast(buf: Uint8Array, opts: PngFastOptions): LoadedPng | null {
  try {
    const h = readChunks(buf, opts);
    if (!h) return null;
    const bitsPerPixel = samplesPerPixel[h.colorType] * h.depth;
    const rowBytes = Math.ceil((h.width * bitsPerPixel) / 8);
    const passes = passesOf(h, bitsPerPixel);
    const last = passes[passes.length - 1];
    const expected = last.at + (last.rowBytes + 1) * last.height;
    const stream = h.idat.length === 1 ? h.idat[0] : Buffer.concat(h.idat);
    // More data than the rows need is a libpng warning, less an error: both are left to sharp.
    const raw = inflateExactly(stream, expected);
    if (!raw) return null;
    // Each pass is filtered on its own: its first row has no row above.
    for (const p of passes) {
      if (!unfilter(raw.subarray(p.at, p.at + (p.rowBytes + 1) * p.height), p.height, p.rowBytes, Math.max(1, bitsPerPixel >> 3))) return null;
    }
    return expand(h.interlaced ? deinterlace(raw, passes, h, rowBytes, bitsPerPixel) : raw, h, rowBytes);
  } catch {
    return null;
  }
}
