/**
 * The default mode's geometry on the fast paths: which source region becomes which output
 * region (stretch, centred crop, fit-and-pad), resampled with Pillow's antialiased filters, and
 * the reduced DCT scale a JPEG may be decoded at for it. The boxes are the ones the sharp path
 * uses (cropToAspectBox, fitInside), so both paths frame an image identically.
 */
import { cropToAspectBox, fitInside } from './boxes.js';
import { placeOnCanvas } from './pad-canvas.js';
import { type Pixels, type ResampleFilter, resample } from './resample.js';
import type { DecodePlan } from '../types.js';

export type Geometry = NonNullable<DecodePlan['geometry']>;

/** Where the source goes: an integer box of the (full-size, upright) source, and the output size. */
export interface FitPlan {
  box: { top: number; left: number; height: number; width: number };
  out: { height: number; width: number };
  /** Where the resized image sits on the canvas ('pad'), or null. */
  place: { top: number; left: number } | null;
}

/**
 * The regions for an upright srcH×srcW image.
 *
 * @example
 * fitPlan(375, 500, { height: 224, width: 224, mode: 'crop', interpolation: 'bilinear', antialias: true, padValue: 0 });
 * // { box: { top: 0, left: 62, height: 375, width: 375 }, out: { height: 224, width: 224 }, place: null }
 */
export function fitPlan(srcH: number, srcW: number, g: Geometry): FitPlan {
  const box = g.mode === 'crop' ? cropToAspectBox(srcH, srcW, g.height, g.width) : { top: 0, left: 0, height: srcH, width: srcW };
  if (g.mode !== 'pad') return { box, out: { height: g.height, width: g.width }, place: null };
  const fit = fitInside(srcH, srcW, g.height, g.width);
  return { box, out: { height: fit.height, width: fit.width }, place: { top: fit.top, left: fit.left } };
}

/**
 * Pillow's filter for our interpolation names: 'area' is Pillow's BOX (an average over each
 * output pixel's footprint when reducing).
 */
export function resampleFilter(interpolation: Geometry['interpolation']): ResampleFilter {
  return interpolation === 'area' ? 'box' : interpolation;
}

/**
 * Whether libjpeg-turbo decodes at this factor with its SIMD inverse DCTs: they exist for the
 * full 8×8 block and the reduced 4×4, 2×2 and 1×1 outputs only. Every other M/8 runs a plain C
 * IDCT, and measured on this project's typical JPEGs (333–640 px, 4:2:0) it decodes slower than
 * the full size: 5/8 957 µs, 6/8 1,130 µs, 7/8 1,373 µs against 729 µs at 8/8 and 576 µs at 4/8.
 */
function simdScale(f: { num: number; denom: number }): boolean {
  const s = f.num / f.denom;
  return s === 1 || s === 0.5 || s === 0.25 || s === 0.125;
}

/**
 * The smallest decode scale among 1/8, 1/4 and 1/2 (see simdScale) at which the plan's box still
 * has at least the output's pixels, so the resampler only ever reduces from there; else full
 * size. 1 for nearest, whose pixels must be stored ones.
 *
 * @example
 * dctScale(fitPlan(1600, 2560, g224), 'bilinear', factors); // { num: 1, denom: 4 }: the crop box is 400 px high, 400 ≥ 224
 */
export function dctScale<F extends { num: number; denom: number }>(plan: FitPlan, interpolation: Geometry['interpolation'], factors: readonly F[]): F | { num: 1; denom: 1 } {
  let best: F | { num: 1; denom: 1 } = { num: 1, denom: 1 };
  if (interpolation === 'nearest') return best;
  for (const f of factors) {
    const s = f.num / f.denom;
    if (s > 1 || !simdScale(f)) continue;
    if (plan.box.width * s >= plan.out.width && plan.box.height * s >= plan.out.height && s < best.num / best.denom) best = f;
  }
  return best;
}

/**
 * Resizes upright pixels per `plan` and places them for 'pad'. `scale` is the factor the pixels
 * were decoded at relative to the full-size image the plan was made for (1 when not reduced).
 * Returns interleaved pixels with the source's bands (padding gets `padValue`, alpha 255).
 */
export function applyFit(src: Pixels, plan: FitPlan, g: Geometry, scale = 1): Pixels {
  const { box, out, place } = plan;
  const sourceBox = {
    x0: box.left * scale,
    y0: box.top * scale,
    x1: Math.min(src.width, (box.left + box.width) * scale),
    y1: Math.min(src.height, (box.top + box.height) * scale),
  };
  const resized = resample(src, sourceBox, out.width, out.height, resampleFilter(g.interpolation));
  if (!place) return resized;
  const channels = resized.bands as 1 | 3 | 4;
  const canvas = placeOnCanvas({ data: resized.data, width: resized.width, height: resized.height, channels }, g.height, g.width, place.top, place.left, g.padValue);
  return { data: canvas.data, width: canvas.width, height: canvas.height, bands: resized.bands };
}
