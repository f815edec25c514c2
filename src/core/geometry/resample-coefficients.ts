/**
 * Pillow's resampling filters and fixed-point weights (libImaging/Resample.c), shared by the
 * TypeScript and WebAssembly passes so both sum the very same integers.
 */

export type ResampleFilter = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos3' | 'box';

/** A source region in pixel-edge coordinates (may be fractional), as Pillow's `box`. */
export interface SourceBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Interleaved uint8 pixels. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  bands: number;
}

export interface Coefficients {
  ksize: number;
  /** Per output position: first source index and how many follow. */
  bounds: Int32Array;
  /** ksize fixed-point weights per output position. */
  k: Int32Array;
}

export interface Filter {
  support: number;
  f: (x: number) => number;
}

export const precisionBits = 32 - 8 - 2;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

export const filters: Record<Exclude<ResampleFilter, 'nearest'>, Filter> = {
  box: { support: 0.5, f: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, f: (x) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) },
  bicubic: {
    support: 2,
    f: (v) => {
      const a = -0.5;
      const x = Math.abs(v);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  lanczos3: { support: 3, f: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc, with the taps kept inside the box (rounded
 * out to whole pixels) instead of the whole image: a crop is a hard crop, as Keras's and
 * `im.crop(box).resize(size)` are, so nothing outside the box bleeds in.
 */
export function coefficients(in0: number, in1: number, outSize: number, filter: Filter): Coefficients {
  const lo = Math.floor(in0);
  const hi = Math.ceil(in1);
  const scale = (in1 - in0) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const xmin = Math.max(lo, Math.trunc(center - support + 0.5));
    const xmax = Math.min(hi, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter.f((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << precisionBits)) : Math.trunc(0.5 + v * (1 << precisionBits));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = Math.max(0, xmax);
  }
  return { ksize, bounds, k };
}

/**
 * The two passes for one resize: `rows` source rows from `first` go through the horizontal pass
 * (`hor`, to outW columns) when given, then the vertical pass (`vert`, bounds relative to
 * `first`, to outH rows) when given. Returns the pixels, or null when this engine cannot run it.
 */
export type SeparablePasses = (src: Pixels, first: number, rows: number, outW: number, hor: Coefficients | null, outH: number, vert: Coefficients | null) => Uint8Array | null;
