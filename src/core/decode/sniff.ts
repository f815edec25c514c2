/**
 * Format detection by content. Files are decoded by what their first bytes say, never by their
 * extension: a PNG named .jpg decodes, a text file named .jpg is refused with a message that
 * says what it starts with.
 */

export const decodableFormats = ['jpeg', 'png', 'gif', 'webp', 'tiff', 'heif', 'bmp'] as const;
export type DecodableFormat = (typeof decodableFormats)[number];

/** How a format is named in messages. */
export const formatLabels: Record<DecodableFormat, string> = {
  jpeg: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP', tiff: 'TIFF', heif: 'AVIF/HEIF', bmp: 'BMP',
};

/** Bytes needed to tell every format apart (ISO-BMFF brands sit at offset 8). */
export const sniffLength = 32;

export type Sniffed = { ok: true; format: DecodableFormat } | { ok: false; problem: string };

const isoBrands = new Set(['avif', 'avis', 'heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'mif2', 'miaf']);

// Images we recognise but do not decode, so the message can name them instead of guessing.
const knownUnsupported: { name: string; test: (b: Uint8Array) => boolean }[] = [
  { name: 'Photoshop PSD', test: (b) => ascii(b, 0, 4) === '8BPS' },
  { name: 'Windows ICO', test: (b) => b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0 },
  { name: 'JPEG 2000', test: (b) => ascii(b, 4, 8) === 'jP  ' || (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) },
  { name: 'JPEG XL', test: (b) => (b[0] === 0xff && b[1] === 0x0a) || ascii(b, 4, 8) === 'JXL ' },
  { name: 'SVG (vector)', test: (b) => /^\s*(<\?xml|<svg)/i.test(ascii(b, 0, b.length)) },
  { name: 'PDF', test: (b) => ascii(b, 0, 5) === '%PDF-' },
];

function ascii(b: Uint8Array, start: number, end: number): string {
  if (b.length < end) return '';
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** "starts with 'PK'" for printable prefixes, hex bytes otherwise. */
export function describeStart(b: Uint8Array): string {
  let printable = 0;
  while (printable < Math.min(b.length, 12) && b[printable] >= 0x20 && b[printable] < 0x7f) printable++;
  if (printable >= 2) return `starts with '${ascii(b, 0, printable)}'`;
  const hex = Array.from(b.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');
  return `starts with bytes ${hex}`;
}

/**
 * Names the format of a file from its first bytes (at least `sniffLength` of them when the file
 * is that long), or explains why it is not one we decode.
 *
 * @example
 * sniffFormat(Buffer.from('PK\x03\x04...')); // { ok: false, problem: "not an image (starts with 'PK')" }
 */
export function sniffFormat(head: Uint8Array): Sniffed {
  const b = head;
  if (b.length === 0) return { ok: false, problem: 'empty file' };
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ok: true, format: 'jpeg' };
  if (ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return { ok: true, format: 'png' };
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return { ok: true, format: 'gif' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { ok: true, format: 'webp' };
  const tiff = ascii(b, 0, 4);
  if (tiff === 'II*\0' || tiff === 'MM\0*' || tiff === 'II+\0' || tiff === 'MM\0+') return { ok: true, format: 'tiff' };
  if (ascii(b, 0, 2) === 'BM') return { ok: true, format: 'bmp' };
  if (ascii(b, 4, 8) === 'ftyp' && isoBrands.has(ascii(b, 8, 12))) return { ok: true, format: 'heif' };
  const known = knownUnsupported.find((k) => k.test(b));
  if (known) return { ok: false, problem: `unsupported image format (${known.name})` };
  return { ok: false, problem: `not an image (${describeStart(b)})` };
}
