/**
 * EXIF orientation applied to decoded pixels (the fast paths read the tag themselves; sharp's
 * autoOrient does the same on its path). Orientations 5-8 swap width and height.
 */
import type { Pixels } from './resample.js';

/**
 * Turns stored pixels upright for EXIF orientation 1-8 (1 or any other value: unchanged).
 * 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse,
 * 8 rotate 90° counter-clockwise: the same as PIL's `ImageOps.exif_transpose`.
 *
 * @example
 * orient({ data: Uint8Array.of(1, 2), width: 2, height: 1, bands: 1 }, 6); // 1×2: [1, 2] top to bottom
 */
export function orient(src: Pixels, orientation: number): Pixels {
  if (!Number.isInteger(orientation) || orientation < 2 || orientation > 8) return src;
  const { data, width: w, height: h, bands } = src;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8Array(data.length);
  // For each output pixel (X, Y), the stored pixel it comes from, as a start and two steps.
  // Orientation o stores the upright image transformed; we invert that transform.
  let start: number; // stored index of output (0, 0)
  let dx: number; // stored step for X + 1
  let dy: number; // stored step for Y + 1
  switch (orientation) {
    case 2: start = w - 1; dx = -1; dy = w; break;
    case 3: start = h * w - 1; dx = -1; dy = -w; break;
    case 4: start = (h - 1) * w; dx = 1; dy = -w; break;
    case 5: start = 0; dx = w; dy = 1; break;
    case 6: start = (h - 1) * w; dx = -w; dy = 1; break;
    case 7: start = h * w - 1; dx = -w; dy = -1; break;
    default: start = w - 1; dx = w; dy = -1; break; // 8
  }
  let o = 0;
  for (let Y = 0; Y < H; Y++) {
    let s = start + Y * dy;
    for (let X = 0; X < W; X++, s += dx) {
      const si = s * bands;
      for (let b = 0; b < bands; b++) out[o++] = data[si + b];
    }
  }
  return { data: out, width: W, height: H, bands };
}
