/**
 * The TypeScript passes: Pillow's ImagingResampleHorizontal/Vertical_8bpc in plain JS, the
 * fallback where WebAssembly SIMD is missing (and the reference the WASM passes are tested on).
 */
import { type Coefficients, type Pixels, type SeparablePasses, precisionBits } from './resample-coefficients.js';

const half = 1 << (precisionBits - 1);
const max8 = 1 << (precisionBits + 8);

const clip8 = (v: number): number => (v >= max8 ? 255 : v <= 0 ? 0 : v >> precisionBits);

function horizontal(src: Pixels, rowFirst: number, rows: number, outW: number, c: Coefficients): Uint8Array {
  const { data, width, bands } = src;
  const out = new Uint8Array(rows * outW * bands);
  const { ksize, bounds, k } = c;
  for (let y = 0; y < rows; y++) {
    const rowIn = (y + rowFirst) * width * bands;
    let o = y * outW * bands;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2];
      const n = bounds[xx * 2 + 1];
      const kb = xx * ksize;
      if (bands === 3) {
        // The common case, unrolled: three sums in one pass over the taps (~2x faster).
        let s0 = half;
        let s1 = half;
        let s2 = half;
        for (let x = 0, i = rowIn + xmin * 3; x < n; x++, i += 3) {
          const kv = k[kb + x];
          s0 += data[i] * kv;
          s1 += data[i + 1] * kv;
          s2 += data[i + 2] * kv;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
        o += 3;
        continue;
      }
      for (let b = 0; b < bands; b++) {
        let ss = half;
        let i = rowIn + xmin * bands + b;
        for (let x = 0; x < n; x++, i += bands) ss += data[i] * k[kb + x];
        out[o++] = clip8(ss);
      }
    }
  }
  return out;
}

function vertical(src: Pixels, rowFirst: number, outH: number, c: Coefficients): Uint8Array {
  const { data, width, bands } = src;
  const stride = width * bands;
  const out = new Uint8Array(outH * stride);
  const { ksize, bounds, k } = c;
  let o = 0;
  // Each byte's whole sum at once, with the usual tap counts unrolled: about twice as fast as
  // accumulating row by row into an Int32Array (the n source rows are read in step).
  for (let yy = 0; yy < outH; yy++) {
    const r0 = (rowFirst + bounds[yy * 2]) * stride;
    const n = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    const k0 = k[kb];
    const k1 = k[kb + 1];
    const k2 = k[kb + 2];
    const k3 = n >= 4 ? k[kb + 3] : 0; // past the weights' end on the last row when ksize is 3
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    if (n === 2) for (let x = 0; x < stride; x++) out[o++] = clip8(half + data[r0 + x] * k0 + data[r1 + x] * k1);
    else if (n === 3) for (let x = 0; x < stride; x++) out[o++] = clip8(half + data[r0 + x] * k0 + data[r1 + x] * k1 + data[r2 + x] * k2);
    else if (n === 4) for (let x = 0; x < stride; x++) out[o++] = clip8(half + data[r0 + x] * k0 + data[r1 + x] * k1 + data[r2 + x] * k2 + data[r3 + x] * k3);
    else {
      for (let x = 0; x < stride; x++) {
        let v = half;
        for (let y = 0, i = r0 + x; y < n; y++, i += stride) v += data[i] * k[kb + y];
        out[o++] = clip8(v);
      }
    }
  }
  return out;
}

/** The separable resize in TypeScript; never null. */
export const separableJs: SeparablePasses = (src, first, rows, outW, hor, outH, vert) => {
  if (!hor && !vert) return src.data.slice(first * src.width * src.bands, (first + rows) * src.width * src.bands);
  if (!hor) return vertical(src, first, outH, vert!);
  const data = horizontal(src, first, rows, outW, hor);
  return vert ? vertical({ data, width: outW, height: rows, bands: src.bands }, 0, outH, vert) : data;
};
