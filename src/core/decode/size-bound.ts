/**
 * How large a file of a given format could reasonably be, from its header: the bound that lets
 * the reader refuse a 1.5 GB file that starts like a tiny JPEG before reading it. Generous (4×
 * the raw samples for JPEG and TIFF, 2× for PNG and BMP, WebP's own RIFF size, each plus 16 MiB
 * of metadata and trailing bytes): no real file comes near it.
 * Not bounded: GIF (its frame count is in no header), multi-page TIFF and BigTIFF, TIFFs whose
 * first directory is not in the head, BMPs holding a JPEG or PNG, and HEIF/AVIF.
 */
import { jpegFrame } from './memory-gate.js';
import type { DecodableFormat } from './sniff.js';

const metadataAllowance = 16 * 1024 * 1024;

/** The most bytes a file of `format` with this head could need; null when the head cannot say. */
export function plausibleBytes(format: DecodableFormat, head: Uint8Array): number | null {
  if (format === 'jpeg') {
    const frame = jpegFrame(head);
    return frame ? metadataAllowance + frame.width * frame.height * frame.components * 4 : null;
  }
  if (format === 'png') {
    if (head.length < 33) return null;
    const u32 = (at: number) => ((head[at] << 24) | (head[at + 1] << 16) | (head[at + 2] << 8) | head[at + 3]) >>> 0;
    const width = u32(16);
    const height = u32(20);
    const samples = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[head[25]] ?? 4;
    const raw = height * (1 + Math.ceil((width * samples * Math.max(8, head[24])) / 8));
    return metadataAllowance + raw * 2 * apngFrames(head);
  }
  if (format === 'webp') {
    // RIFF's size field covers the whole file after its first 8 bytes, animations included.
    return head.length >= 12 ? metadataAllowance + 8 + new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(4, true) : null;
  }
  if (format === 'bmp') return bmpBytes(head);
  if (format === 'tiff') return tiffBytes(head);
  return null;
}

/** Uncompressed rows padded to 4 bytes; RLE at worst 2 bytes a pixel plus each row's end code. */
function bmpBytes(head: Uint8Array): number | null {
  if (head.length < 34) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const core = view.getUint32(14, true) === 12;
  const width = core ? view.getUint16(18, true) : Math.abs(view.getInt32(18, true));
  const height = core ? view.getUint16(20, true) : Math.abs(view.getInt32(22, true));
  const bits = view.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : view.getUint32(30, true);
  let raw: number;
  if (compression === 0 || compression === 3 || compression === 6) raw = Math.ceil((width * bits) / 32) * 4 * height;
  else if (compression === 1 || compression === 2) raw = (2 * width + 2) * height + 2;
  else return null;
  return metadataAllowance + raw * 2;
}

const tiffTypeBytes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/**
 * A single-page classic TIFF whose first directory is in the head: 4× its samples (tile padding
 * included) plus every tag's data as the directory sizes it (ICC, XMP, Photoshop layers).
 */
function tiffBytes(head: Uint8Array): number | null {
  if (head.length < 8) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const le = head[0] === 0x49;
  if (view.getUint16(2, le) !== 42) return null;
  const ifd = view.getUint32(4, le);
  if (ifd + 2 > head.length) return null;
  const entries = view.getUint16(ifd, le);
  const end = ifd + 2 + entries * 12;
  if (end + 4 > head.length || view.getUint32(end, le) !== 0) return null;
  const tag: Record<number, number> = { 258: 8, 277: 1 };
  let tagBytes = 0;
  for (let at = ifd + 2; at < end; at += 12) {
    const id = view.getUint16(at, le);
    const type = view.getUint16(at + 2, le);
    const count = view.getUint32(at + 4, le);
    const size = count * (tiffTypeBytes[type] ?? 8);
    if (id === 330) return null; // SubIFDs: more images than this directory describes
    if (size > 4) tagBytes += size;
    // BitsPerSample's array lies elsewhere when there are several samples: assume the widest.
    if (id === 258 && size > 4) tag[id] = 64;
    else if (count === 1 || id === 258) tag[id] = type === 3 ? view.getUint16(at + 8, le) : view.getUint32(at + 8, le);
  }
  const width = tag[256];
  const height = tag[257];
  if (width === undefined || height === undefined) return null;
  const padded = (n: number, tile: number | undefined) => (tile ? Math.ceil(n / tile) * tile : n);
  const samples = padded(width, tag[322]) * padded(height, tag[323]) * tag[277];
  return metadataAllowance + tagBytes + samples * Math.ceil(tag[258] / 8) * 4;
}

/** An animated PNG's frame count (its acTL chunk comes before the image data); 1 otherwise. */
function apngFrames(b: Uint8Array): number {
  let at = 8;
  while (at + 12 <= b.length) {
    const len = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
    const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    if (type === 'acTL' && at + 12 <= b.length) return Math.max(1, ((b[at + 8] << 24) | (b[at + 9] << 16) | (b[at + 10] << 8) | b[at + 11]) >>> 0);
    if (type === 'IDAT') return 1;
    at += 12 + len;
  }
  return 1;
}

/** "1.5 GB", "640 KB". */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.ceil(n / 1e3)} KB`;
}
