/**
 * Placing a decoded image on a larger canvas filled with the pad value: resize 'none' pads every
 * image to the largest H×W of the job, and the decoder's 'pad' mode places the fitted image.
 *
 * Padding is opaque: in rgba output its alpha is 255, so the colour bands of an rgba tensor equal
 * those of the rgb tensor made with the same options, and the padding looks like the pad value
 * wherever the image is shown. The pad value is on the 0-255 scale and rounded to an integer,
 * since the pixels are uint8.
 */
import { padOffsets } from './boxes.js';
import { takeRowBytes } from './row-buffers.js';
import type { DecodedImage } from '../types.js';

/**
 * Copies `img` onto a new H×W canvas at (top, left); everything else gets `padValue`.
 *
 * @example
 * placeOnCanvas({ data: Uint8Array.of(9), width: 1, height: 1, channels: 1 }, 1, 3, 0, 1, 0).data; // [0, 9, 0]
 * @throws {RangeError} when the image does not fit at that place or padValue is outside 0-255
 */
export function placeOnCanvas(img: DecodedImage, H: number, W: number, top: number, left: number, padValue: number): DecodedImage {
  const { width, height, channels } = img;
  if (!Number.isInteger(top) || !Number.isInteger(left) || top < 0 || left < 0 || top + height > H || left + width > W) {
    throw new RangeError(`Expected a ${height}x${width} image at (${top}, ${left}) to fit a ${H}x${W} canvas`);
  }
  if (!(padValue >= 0 && padValue <= 255)) throw new RangeError(`Expected number from 0 to 255 for padValue but received ${padValue}`);
  if (height === H && width === W) return img;
  const fill = Math.round(padValue);
  const data = takeRowBytes(H * W * channels).fill(fill);
  if (channels === 4) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  const rowBytes = width * channels;
  for (let y = 0; y < height; y++) {
    const from = y * rowBytes;
    data.set(img.data.subarray(from, from + rowBytes), ((top + y) * W + left) * channels);
  }
  return { data, width: W, height: H, channels };
}

/**
 * Pads `img` to H×W, centred (floor offsets, the odd row or column after the image) or at the
 * top-left corner: what resize 'none' does to stack images of different sizes.
 *
 * @example
 * const out = padToCanvas(img, 256, 256, 'center', 0); // a 100×200 (H×W) image sits at top 78, left 28
 * @throws {RangeError} when the image is larger than the canvas
 */
export function padToCanvas(img: DecodedImage, H: number, W: number, position: 'center' | 'top-left', padValue: number): DecodedImage {
  const { top, left } = padOffsets(img.height, img.width, H, W, position);
  return placeOnCanvas(img, H, W, top, left, padValue);
}
