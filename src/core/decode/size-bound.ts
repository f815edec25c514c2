/**
 * How large a file of a given format could reasonably be, from its header: the bound that lets
 * the reader refuse a 1.5 GB file that starts like a tiny JPEG before reading it. Generous (4×
 * the raw samples for JPEG, 2× for PNG, plus 16 MiB of metadata): no real file comes near it.
 * GIF, WebP, TIFF, AVIF and BMP are not bounded here (animations and layouts vary too much).
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
  return null;
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
