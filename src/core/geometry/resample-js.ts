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
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = rowFirst + bounds[yy * 2];
    const n = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    acc.fill(half);
    // Row by row over the source keeps memory access sequential (same sums as Pillow's order).
    for (let y = 0; y < n; y++) {
      const kv = k[kb + y];
      const row = (ymin + y) * stride;
      for (let x = 0; x < stride; x++) acc[x] += data[row + x] * kv;
    }
    const o = yy * stride;
    for (let x = 0; x < stride; x++) out[o + x] = clip8(acc[x]);
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
