/**
 * A BMP reader, because libvips (and so sharp) has no BMP loader. It covers what cameras,
 * Windows tools and dataset scripts write: 1/4/8-bit palettes (plain, RLE8, RLE4), 16-bit 555 and
 * bitfields (565, 4444, ...), 24-bit, 32-bit BI_RGB and bitfields with alpha, bottom-up and
 * top-down, with OS/2 core, INFO, V2-V5 headers. Anything else is refused by name.
 */
import { Img2npyError } from '../../shared/errors.js';
import { checkPixelLimit, unreadable } from './errors.js';
import { decodeRle } from './bmp-rle.js';

export interface BmpMasks {
  r: number;
  g: number;
  b: number;
  a: number;
}

export interface BmpHeader {
  width: number;
  /** Always positive; `topDown` says which way the rows run. */
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  /** 0 BI_RGB, 1 RLE8, 2 RLE4, 3 BI_BITFIELDS, 6 BI_ALPHABITFIELDS. */
  compression: number;
  headerSize: number;
  dataOffset: number;
  /** Colour table as [r, g, b] triples; empty above 8 bits per pixel. */
  palette: Uint8Array;
  masks: BmpMasks | null;
}

/** Decoded BMP pixels: HWC, top row first, RGB or RGBA. */
export interface BmpPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

const headerSizes = new Set([12, 40, 52, 56, 64, 108, 124]);
const compressionNames: Record<number, string> = { 3: 'bitfields', 4: 'embedded JPEG', 5: 'embedded PNG', 6: 'alpha bitfields' };

/** Bytes of a BMP that `parseBmpHeader` reads at most (file + V5 header + 4 masks + 256 colours). */
export const bmpHeaderReadLength = 14 + 124 + 16 + 256 * 4;

/**
 * Reads and checks a BMP's headers without touching the pixels (the probe uses this alone).
 *
 * @example
 * parseBmpHeader(await readFile('x.bmp'), 'x.bmp'); // { width: 5, height: 3, bitsPerPixel: 24, ... }
 * @throws {Img2npyError} unreadable-image for truncated or unsupported headers
 */
export function parseBmpHeader(buf: Uint8Array, file: string): BmpHeader {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 18) throw unreadable(file, 'truncated BMP (file header)');
  const headerSize = view.getUint32(14, true);
  if (!headerSizes.has(headerSize)) throw unreadable(file, `BMP header size ${headerSize} not supported`);
  if (buf.length < 14 + headerSize) throw unreadable(file, 'truncated BMP (info header)');
  const core = headerSize === 12;
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : view.getUint32(30, true);
  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000) throw unreadable(file, `invalid BMP size ${width}x${rawHeight}`);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw unreadable(file, `BMP with ${bitsPerPixel} bits per pixel not supported`);

  const supported =
    compression === 0 ||
    (compression === 1 && bitsPerPixel === 8) ||
    (compression === 2 && bitsPerPixel === 4) ||
    ((compression === 3 || compression === 6) && (bitsPerPixel === 16 || bitsPerPixel === 32) && headerSize !== 64);
  if (!supported) {
    const name = compressionNames[compression] ? ` (${compressionNames[compression]})` : '';
    throw unreadable(file, `BMP compression ${compression}${name} with ${bitsPerPixel}-bit pixels not supported`);
  }

  let tableAt = 14 + headerSize;
  let masks: BmpMasks | null = null;
  if (compression === 3 || compression === 6) {
    // INFO headers keep the masks after the header; V2+ headers hold them inside.
    const inside = headerSize >= 52;
    const at = inside ? 54 : tableAt;
    const withAlpha = compression === 6 || headerSize >= 56;
    if (buf.length < at + (withAlpha ? 16 : 12)) throw unreadable(file, 'truncated BMP (bitfield masks)');
    masks = { r: view.getUint32(at, true), g: view.getUint32(at + 4, true), b: view.getUint32(at + 8, true), a: withAlpha ? view.getUint32(at + 12, true) : 0 };
    if (!inside) tableAt += withAlpha ? 16 : 12;
  } else if (bitsPerPixel === 16) {
    masks = { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
  } else if (bitsPerPixel === 32) {
    // BI_RGB 32-bit is BGRX: the fourth byte is not alpha (PIL and Windows agree).
    masks = { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 };
  }

  const fileOffset = view.getUint32(10, true);
  let palette = new Uint8Array(0);
  if (bitsPerPixel <= 8) {
    const entrySize = core ? 3 : 4;
    const declared = core ? 0 : view.getUint32(46, true);
    let count = declared > 0 && declared < 1 << bitsPerPixel ? declared : 1 << bitsPerPixel;
    // Some writers declare a full table but start the pixels earlier; trust the pixel offset.
    if (fileOffset > tableAt) count = Math.min(count, Math.floor((fileOffset - tableAt) / entrySize));
    if (buf.length < tableAt + count * entrySize) throw unreadable(file, 'truncated BMP (colour table)');
    palette = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) {
      const at = tableAt + i * entrySize;
      palette[i * 3] = buf[at + 2];
      palette[i * 3 + 1] = buf[at + 1];
      palette[i * 3 + 2] = buf[at];
    }
    tableAt += count * entrySize;
  }
  const dataOffset = fileOffset >= 14 + headerSize ? fileOffset : tableAt;
  return { width, height: Math.abs(rawHeight), topDown: rawHeight < 0, bitsPerPixel, compression, headerSize, dataOffset, palette, masks };
}

/** Maps masked values to 0-255 with round(v * 255 / max), the same rule as 16-bit PNG. */
function channelTable(mask: number, file: string): { shift: number; table: Uint8Array | null } {
  if (mask === 0) return { shift: 0, table: null };
  const shift = 31 - Math.clz32(mask & -mask);
  const max = mask >>> shift;
  if ((max & (max + 1)) !== 0) throw unreadable(file, `BMP bitfield mask 0x${(mask >>> 0).toString(16)} is not contiguous`);
  const bits = 32 - Math.clz32(max);
  if (bits > 16) throw unreadable(file, `BMP bitfield mask 0x${(mask >>> 0).toString(16)} wider than 16 bits not supported`);
  const table = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v++) table[v] = Math.round((v * 255) / max);
  return { shift, table };
}

/**
 * Decodes a whole BMP file held in memory.
 *
 * @example
 * const px = decodeBmp(await readFile('x.bmp'), 'x.bmp', 0); // { width, height, channels: 3, data }
 * @throws {Img2npyError} image-too-large above `maxPixels` (0 = no limit), unreadable-image for
 *   truncated, damaged or unsupported files
 */
export function decodeBmp(buf: Uint8Array, file: string, maxPixels: number): BmpPixels {
  const h = parseBmpHeader(buf, file);
  const { width, height, bitsPerPixel: bpp } = h;
  checkPixelLimit(file, width, height, maxPixels);
  const masks = h.masks;
  const channels: 3 | 4 = masks && masks.a !== 0 ? 4 : 3;
  const rle = h.compression === 1 || h.compression === 2;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  // The last row's padding is often missing in files cut by careless writers; it holds no pixels.
  const needed = stride * (height - 1) + Math.ceil((bpp * width) / 8);
  if (!rle && h.dataOffset + needed > buf.length) {
    throw unreadable(file, `truncated BMP (pixel data needs ${needed} bytes from offset ${h.dataOffset}, file has ${buf.length} bytes)`);
  }
  if (width * height * channels > 0x7fffffff) {
    throw new Img2npyError('image-too-large', `Cannot decode ${file}: a ${width}x${height} BMP is too large to hold in memory`, { file });
  }
  const out = new Uint8Array(width * height * channels);
  const rowOut = (fileRow: number) => (h.topDown ? fileRow : height - 1 - fileRow) * width * channels;
  const pal = h.palette;
  const colours = pal.length / 3;
  const putIndex = (o: number, idx: number) => {
    // Indices past the table are black, as browsers show them.
    if (idx < colours) {
      out[o] = pal[idx * 3];
      out[o + 1] = pal[idx * 3 + 1];
      out[o + 2] = pal[idx * 3 + 2];
    }
  };

  if (rle) {
    const rle = decodeRle(buf.subarray(h.dataOffset), h.compression === 1 ? 8 : 4, width, height);
    if (!rle.complete) throw unreadable(file, `truncated BMP (RLE${h.compression === 1 ? 8 : 4} data ends early)`);
    for (let y = 0; y < height; y++) {
      const o = rowOut(y);
      for (let x = 0; x < width; x++) putIndex(o + x * 3, rle.indices[y * width + x]);
    }
    return { data: out, width, height, channels };
  }

  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

  if (bpp <= 8) {
    const perByte = 8 / bpp;
    const maskBits = (1 << bpp) - 1;
    for (let y = 0; y < height; y++) {
      const row = h.dataOffset + y * stride;
      const o = rowOut(y);
      for (let x = 0; x < width; x++) {
        const byte = buf[row + Math.floor(x / perByte)];
        const idx = (byte >> (8 - bpp * ((x % perByte) + 1))) & maskBits;
        putIndex(o + x * 3, idx);
      }
    }
    return { data: out, width, height, channels };
  }

  if (bpp === 24) {
    for (let y = 0; y < height; y++) {
      const row = h.dataOffset + y * stride;
      const o = rowOut(y);
      for (let x = 0; x < width; x++) {
        out[o + x * 3] = buf[row + x * 3 + 2];
        out[o + x * 3 + 1] = buf[row + x * 3 + 1];
        out[o + x * 3 + 2] = buf[row + x * 3];
      }
    }
    return { data: out, width, height, channels };
  }

  if (!masks) throw unreadable(file, `BMP with ${bpp} bits per pixel has no colour masks`);
  const maskList = [masks.r, masks.g, masks.b, masks.a];
  const ch = maskList.map((m) => channelTable(m, file));
  let anyAlpha = false;
  for (let y = 0; y < height; y++) {
    const row = h.dataOffset + y * stride;
    const o = rowOut(y);
    for (let x = 0; x < width; x++) {
      const px = bpp === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
      for (let c = 0; c < channels; c++) {
        const { shift, table } = ch[c];
        const v = table ? table[(px & maskList[c]) >>> shift] : 0;
        out[o + x * channels + c] = v;
        if (c === 3 && v !== 0) anyAlpha = true;
      }
    }
  }
  // Writers that declare an alpha mask but leave it all zero mean "opaque" (browsers agree).
  if (channels === 4 && !anyAlpha) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  return { data: out, width, height, channels };
}
