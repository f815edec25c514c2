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
