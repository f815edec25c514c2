/** The padded canvas of `--resize none` is known from headers alone; refuse it before decoding when it cannot fit. */
import { constants } from 'node:buffer';
import { Img2npyError } from '../../shared/errors.js';
import type { Size } from '../../shared/options.js';

/**
 * Every row of x has the canvas's size, so one image far wider than tall and one far taller
 * than wide make every row as large as both: refused here, with the sizes, instead of failing
 * an allocation mid-job. The limit is `--max-pixels` (each image's limit applies to the
 * canvas too) and, whatever it is, what one buffer can hold.
 * @throws Img2npyError `image-too-large` naming the canvas and the way out.
 */
export function checkCanvas(size: Size, channels: number, bytesPerValue: number, maxPixels: number): void {
  const pixels = size.height * size.width;
  const rowBytes = pixels * channels * bytesPerValue;
  const overPixels = maxPixels > 0 && pixels > maxPixels;
  if (!overPixels && rowBytes <= constants.MAX_LENGTH) return;
  const gb = (rowBytes / 1e9).toFixed(1);
  throw new Img2npyError(
    'image-too-large',
    `Padding to the largest image (--resize none) needs a ${size.height}x${size.width} canvas: ${pixels} pixels, ${gb} GB per image, ` +
      (overPixels ? `over the pixel limit ${maxPixels} (--max-pixels)` : 'more than one buffer can hold') +
      '; resize to a fixed size instead (--size HxW with --resize pad keeps the aspect)',
  );
}
