/**
 * What the JPEG fast path needs from the markers before the scan data: the EXIF orientation
 * (APP1), whether an ICC profile is embedded (APP2), Adobe's APP14 (CMYK stored inverted), and
 * the frame's precision. One walk over the header segments; nothing past the first scan is read.
 */

export interface JpegMarkers {
  /** EXIF Orientation 1-8; 1 when absent or unreadable. */
  orientation: number;
  iccProfile: boolean;
  /** An Adobe APP14 segment is present (libjpeg then treats 4-component data as inverted). */
  adobe: boolean;
  /** Sample precision of the frame (8 or 12), 0 when no frame header was found. */
  precision: number;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && at + i < b.length; i++) s += String.fromCharCode(b[at + i]);
  return s;
}

/** Orientation from a TIFF-structured EXIF block starting at `tiff`, ending before `end`. */
function exifOrientation(b: Uint8Array, tiff: number, end: number): number {
  if (tiff + 8 > end) return 1;
  const order = ascii(b, tiff, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const le = order === 'II';
  const u16 = (at: number) => (le ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1]);
  const u32 = (at: number) => (le ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000 : b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]));
  if (u16(tiff + 2) !== 42) return 1;
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return 1;
    if (u16(entry) !== 0x0112) continue;
    // SHORT (type 3), count 1: the value sits in the first two bytes of the value field.
    const v = u16(entry + 2) === 3 ? u16(entry + 8) : 1;
    return v >= 1 && v <= 8 ? v : 1;
  }
  return 1;
}

/**
 * Reads the header segments of a JPEG (bytes from SOI on).
 *
 * @example
 * readJpegMarkers(bytes); // { orientation: 6, iccProfile: false, adobe: false, precision: 8 }
 */
export function readJpegMarkers(b: Uint8Array): JpegMarkers {
  const found: JpegMarkers = { orientation: 1, iccProfile: false, adobe: false, precision: 0 };
  let exifSeen = false;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) break;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const len = (b[at + 2] << 8) | b[at + 3];
    const body = at + 4;
    const end = Math.min(b.length, at + 2 + len);
    if (marker === 0xe1 && !exifSeen && ascii(b, body, 6) === 'Exif\0\0') {
      // Only the first EXIF segment counts, as in libexif/libvips and PIL.
      exifSeen = true;
      found.orientation = exifOrientation(b, body + 6, end);
    } else if (marker === 0xe2 && ascii(b, body, 12) === 'ICC_PROFILE\0') {
      found.iccProfile = true;
    } else if (marker === 0xee && ascii(b, body, 5) === 'Adobe') {
      found.adobe = true;
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      found.precision = b[body] ?? 0;
    }
    at += 2 + len;
  }
  return found;
}
