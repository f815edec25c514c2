/**
 * Damaged JPEGs: libjpeg decodes past corrupt entropy data with a warning ("Corrupt JPEG data:
 * premature end of data segment") and fills what it lost with grey, so a file cut short that
 * still ends in an EOI marker would otherwise be kept without a word. Such files are skipped
 * and listed; `--allow-damaged` keeps them, listed as damaged.
 */
import { Img2npyError } from '../../shared/errors.js';
import { endsWithJpegEoi, unreadable } from './errors.js';

const hint = '--allow-damaged keeps what can be decoded';

/**
 * The error for a JPEG libjpeg only decodes with a warning: `unreadable-image` "truncated" when
 * the file has no end-of-image marker (as the sharp path says), `damaged-image` otherwise.
 *
 * @example
 * throw damagedJpeg('/d/a.jpg', 'Corrupt JPEG data: premature end of data segment', bytes);
 */
export function damagedJpeg(file: string, warning: string, bytes: Uint8Array): Img2npyError {
  if (!endsWithJpegEoi(bytes)) return unreadable(file, `truncated JPEG (${warning}; ${hint})`);
  return new Img2npyError('damaged-image', `Cannot decode ${file}: damaged JPEG (${warning}; ${hint})`, { file });
}

/** libjpeg's warnings about the data itself, as libvips passes them on in sharp's errors. */
export const jpegDamageWarning = /corrupt jpeg data|premature end of (jpeg file|data segment)|extraneous bytes|invalid (huffman|jpeg)|huffman/i;

/**
 * sharp's words when a warning failed a `failOn: 'warning'` decode (only JPEGs are opened so).
 * libvips keeps warnings in one queue per process, so a decode running at the same time may take
 * libjpeg's own words and leave only these.
 */
const failOnWarning = /warning treated as error due to failon setting/i;

/**
 * What a sharp error says about a damaged JPEG: libjpeg's warning when it is there, else a
 * plain description; null when the error is not about damaged data.
 *
 * @example
 * jpegDamageFromSharp('VipsJpeg: Corrupt JPEG data: premature end of data segment'); // 'Corrupt JPEG data: premature end of data segment'
 */
export function jpegDamageFromSharp(message: string): string | null {
  if (!jpegDamageWarning.test(message) && !failOnWarning.test(message)) return null;
  const lines = message.split('\n').map((l) => l.replace(/^VipsJpeg: /, '').trim());
  return lines.find((l) => jpegDamageWarning.test(l)) ?? 'libjpeg warned of corrupt data (its words went to an image decoded at the same time)';
}
