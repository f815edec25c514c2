/**
 * Antialiased separable resampling of interleaved uint8 pixels, restating Pillow's
 * `Image.resize(size, filter, box)` (libImaging/Resample.c) step for step: the same filters,
 * support widened by the reduction factor, coefficients in 22-bit fixed point, a horizontal pass
 * into a uint8 buffer over only the rows the vertical pass reads, then the vertical pass. Given
 * the same input pixels the output equals Pillow's `im.crop(box).resize(size, filter)` byte for
 * byte (whole-pixel boxes; see coefficients for the crop), with one exception: the box filter
 * (the only one with a jump) measures its centres from the image's edge, as
 * `im.resize(size, filter, box)` does, so where a centre lands exactly on a pixel edge it may take
 * the other pixel than the cropped image would. Nearest is Pillow's affine nearest
 * (`ImagingScaleAffine`), including its accumulated float steps.
 *
 * Used on the fast paths (TurboJPEG, the PNG and BMP readers) instead of a sharp pipeline, whose
 * per-image setup costs more than resizing a small image.
 */

import { type Coefficients, type Pixels, type ResampleFilter, type SourceBox, coefficients, filters } from './resample-coefficients.js';
import { separableJs } from './resample-js.js';
import { separableWasm } from './resample-wasm.js';

export type { Pixels, ResampleFilter, SourceBox } from './resample-coefficients.js';
export { resampleScratch, wasmSimdAvailable } from './resample-wasm.js';

/** Which passes run: WebAssembly SIMD where available ('auto'), or one of them by name. */
export type ResampleEngine = 'auto' | 'wasm' | 'js';

/** Pillow's nearest resize: an affine scale with floor(box0 + (i + 0.5)·scale), accumulated. */
function nearest(src: Pixels, box: SourceBox, outW: number, outH: number): Uint8Array {
  const { data, width, height, bands } = src;
  const a0 = (box.x1 - box.x0) / outW;
  const a4 = (box.y1 - box.y0) / outH;
  const xin = new Int32Array(outW);
  let xo = box.x0 + a0 * 0.5;
  for (let x = 0; x < outW; x++, xo += a0) xin[x] = Math.min(width - 1, Math.max(0, Math.trunc(xo)));
  const out = new Uint8Array(outW * outH * bands);
  let yo = box.y0 + a4 * 0.5;
  for (let y = 0, o = 0; y < outH; y++, yo += a4) {
    const row = Math.min(height - 1, Math.max(0, Math.trunc(yo))) * width;
    for (let x = 0; x < outW; x++) {
      const s = (row + xin[x]) * bands;
      for (let b = 0; b < bands; b++) out[o++] = data[s + b];
    }
  }
  return out;
}

/** One pass's coefficients; a vertical pass's bounds count from `first`, the first of the `rows` source rows it reads. */
interface PassCoefficients {
  c: Coefficients;
  first: number;
  rows: number;
}

/**
 * Coefficients already computed in this thread, by pass, filter, edges and size. Images of a
 * dataset often share their size, and computing them cost more than the passes on small images
 * (32×32 → 64×64: ~7 µs an axis of ~50 µs an image, measured). The passes only read them. Full
 * (images of many sizes, or large reductions: 6000 → 224 with lanczos3 is ~150 KB) means the
 * map starts again, so a thread never holds more than `maxComputedBytes` and a miss costs a lookup.
 */
const computed = new Map<string, PassCoefficients>();
const maxComputedBytes = 2 * 1024 * 1024;
let computedBytes = 0;

function passCoefficients(pass: 'h' | 'v', in0: number, in1: number, outSize: number, filter: Exclude<ResampleFilter, 'nearest'>): PassCoefficients {
  // Numbers print exactly (shortest round-trip form), so equal keys mean equal arguments.
  const key = `${pass} ${filter} ${in0} ${in1} ${outSize}`;
  let known = computed.get(key);
  if (!known) {
    const c = coefficients(in0, in1, outSize, filters[filter]);
    let first = 0;
    let rows = 0;
    if (pass === 'v') {
      first = c.bounds[0];
      rows = c.bounds[outSize * 2 - 2] + c.bounds[outSize * 2 - 1] - first;
      for (let i = 0; i < outSize; i++) c.bounds[i * 2] -= first;
    }
    const bytes = c.bounds.byteLength + c.k.byteLength;
    if (computedBytes + bytes > maxComputedBytes) {
      computed.clear();
      computedBytes = 0;
    }
    computedBytes += bytes;
    known = { c, first, rows };
    computed.set(key, known);
  }
  return known;
}

/**
 * Resizes the `box` region of `src` to outW×outH with `filter`, antialiased when reducing
 * (the filter is stretched by the reduction factor), as Pillow's `resize(size, filter, box)`.
 *
 * `engine` picks the passes (the same bytes either way); 'wasm' throws where WASM SIMD is missing.
 *
 * @example
 * resample({ data, width: 500, height: 375, bands: 3 }, { x0: 62, y0: 0, x1: 437, y1: 375 }, 224, 224, 'bilinear');
 * @throws {RangeError} when a size is not a positive integer or the box is empty or outside the image
 */
export function resample(src: Pixels, box: SourceBox, outW: number, outH: number, filter: ResampleFilter, engine: ResampleEngine = 'auto'): Pixels {
  for (const [name, v] of Object.entries({ outW, outH, width: src.width, height: src.height })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Expected positive integer for ${name} in resample but received ${v}`);
  }
  if (!(box.x0 >= 0 && box.y0 >= 0 && box.x1 <= src.width && box.y1 <= src.height && box.x1 > box.x0 && box.y1 > box.y0)) {
    throw new RangeError(`Expected a box inside the ${src.width}x${src.height} image but received ${JSON.stringify(box)}`);
  }
  const { bands } = src;
  if (filter === 'nearest') return { data: nearest(src, box, outW, outH), width: outW, height: outH, bands };
  const needH = outW !== src.width || box.x0 !== 0 || box.x1 !== outW;
  const needV = outH !== src.height || box.y0 !== 0 || box.y1 !== outH;
  const hor = needH ? passCoefficients('h', box.x0, box.x1, outW, filter).c : null;
  const v = needV ? passCoefficients('v', box.y0, box.y1, outH, filter) : null;
  const vert = v?.c ?? null;
  // Only the rows the vertical pass reads go through the horizontal pass.
  const first = v?.first ?? 0;
  const rows = v?.rows ?? src.height;
  const fast = engine === 'js' ? null : separableWasm(src, first, rows, outW, hor, outH, vert);
  if (!fast && engine === 'wasm') throw new Error('WebAssembly SIMD is not available in this thread');
  return { data: fast ?? separableJs(src, first, rows, outW, hor, outH, vert)!, width: outW, height: outH, bands };
}
