import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ChannelStatsAccumulator, type ChannelStatsDtype } from '../../../src/core/arrays/channel-stats.js';
import { float16Bytes, float32ToFloat16Bits } from '../../../src/core/tensor/float16.js';
import type { Layout } from '../../../src/shared/options.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

/** Deterministic pseudo-random floats in [0, 1) (an LCG: the test must not depend on Math.random). */
function randoms(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

/** x's bytes as the writer gets them; each channel has its own offset and spread so a mixed-up axis shows. */
function rowsBytes(dtype: ChannelStatsDtype, rows: number, rowShape: number[], layout: Layout, seed: number, offset = 0): Uint8Array {
  const n = rows * rowShape[0] * rowShape[1] * rowShape[2];
  const c = layout === 'nchw' ? rowShape[0] : rowShape[2];
  const inner = layout === 'nchw' ? rowShape[1] * rowShape[2] : 1;
  const r = randoms(n, seed);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / inner) % c;
    values[i] = dtype === 'uint8' ? Math.floor(r[i] * (60 + 60 * k)) + 40 * k : offset + (r[i] - 0.5) * (k + 1) + k;
  }
  if (dtype === 'uint8') return Uint8Array.from(values);
  if (dtype === 'float16') return float16Bytes(float32ToFloat16Bits(values));
  return new Uint8Array(values.buffer);
}

const numpyStats = `
import sys, json, numpy as np
dtype, layout, shape = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
x = np.fromfile(sys.argv[1], dtype={'uint8': '|u1', 'float32': '<f4', 'float16': '<f2'}[dtype]).reshape([-1] + shape)
axis = (0, 1, 2) if layout == 'nhwc' else (0, 2, 3)
wide = x.astype(np.float64)
print(json.dumps({'mean': wide.mean(axis=axis).tolist(), 'std': wide.std(axis=axis).tolist(),
  'np_mean': x.mean(axis=axis).astype(np.float64).tolist(), 'np_std': x.std(axis=axis).astype(np.float64).tolist()}))
`;

const cases: { dtype: ChannelStatsDtype; layout: Layout; rowShape: number[]; batches: number[]; offset?: number }[] = [
  { dtype: 'uint8', layout: 'nhwc', rowShape: [5, 7, 3], batches: [4, 4, 1] },
  { dtype: 'uint8', layout: 'nchw', rowShape: [3, 5, 7], batches: [2, 3] },
  { dtype: 'float32', layout: 'nhwc', rowShape: [4, 6, 4], batches: [3, 3, 3, 2] },
  { dtype: 'float32', layout: 'nchw', rowShape: [3, 6, 5], batches: [5, 1] },
  { dtype: 'float16', layout: 'nhwc', rowShape: [6, 5, 1], batches: [2, 2, 2] },
  { dtype: 'float16', layout: 'nchw', rowShape: [4, 3, 3], batches: [7] },
  // Mean far from zero, small spread: a running sum of squares in float64 would lose the variance.
  { dtype: 'float32', layout: 'nhwc', rowShape: [8, 8, 3], batches: [16, 16, 16, 5], offset: 3000 },
];

for (const c of cases) {
  test(`${c.dtype} ${c.layout} ${c.rowShape.join('x')} in ${c.batches.length} batches${c.offset ? ` around ${c.offset}` : ''}: equals NumPy's per-channel mean and std`, async (t) => {
    const dir = await tempDir(t);
    const acc = new ChannelStatsAccumulator({ dtype: c.dtype, rowShape: c.rowShape, layout: c.layout });
    const parts = c.batches.map((rows, i) => rowsBytes(c.dtype, rows, c.rowShape, c.layout, 100 + i, c.offset));
    // Unaligned views, as a writer's subarray of a larger buffer can be.
    for (const p of parts) {
      const shifted = new Uint8Array(p.length + 1);
      shifted.set(p, 1);
      acc.addBytes(shifted.subarray(1));
    }
    const file = join(dir, 'x.bin');
    await writeFile(file, Buffer.concat(parts));
    const want = await py<{ mean: number[]; std: number[]; np_mean: number[]; np_std: number[] }>(numpyStats, [file, c.dtype, c.layout, JSON.stringify(c.rowShape)]);
    const got = acc.result()!;
    assert.equal(got.mean.length, acc.channels);
    for (let k = 0; k < acc.channels; k++) {
      // Against float64 NumPy: float64 accumulation leaves only rounding noise.
      assert.ok(Math.abs(got.mean[k] - want.mean[k]) <= 1e-9 * Math.max(1, Math.abs(want.mean[k])), `mean[${k}] ${got.mean[k]} vs ${want.mean[k]}`);
      assert.ok(Math.abs(got.std[k] - want.std[k]) <= 1e-9 * Math.max(1, want.std[k]), `std[${k}] ${got.std[k]} vs ${want.std[k]}`);
      // Against NumPy's own x.mean()/x.std() in the array's dtype (float16 results are float16).
      const tol = c.dtype === 'float16' ? 1e-2 : 1e-4 * Math.max(1, Math.abs(want.np_mean[k]));
      assert.ok(Math.abs(got.mean[k] - want.np_mean[k]) <= tol, `np mean[${k}]`);
      assert.ok(Math.abs(got.std[k] - want.np_std[k]) <= (c.dtype === 'float16' ? 1e-2 : 1e-4), `np std[${k}]`);
    }
    // Channels really differ (a mixed-up axis would blur them together).
    assert.ok(new Set(got.mean.map((m) => m.toFixed(3))).size === got.mean.length || acc.channels === 1);
  });
}

test('no rows: null; rows that are not whole are an internal error', () => {
  const acc = new ChannelStatsAccumulator({ dtype: 'float32', rowShape: [2, 2, 3], layout: 'nhwc' });
  assert.equal(acc.result(), null);
  acc.addBytes(new Uint8Array(0));
  assert.equal(acc.result(), null);
  assert.throws(() => acc.addValues(new Float32Array(5)), /whole rows of 12 values/);
  assert.throws(() => new ChannelStatsAccumulator({ dtype: 'uint8', rowShape: [4, 3], layout: 'nhwc' }), /three axes/);
});

test('a constant channel has std 0 exactly; uint8 means are exact fractions', () => {
  const acc = new ChannelStatsAccumulator({ dtype: 'uint8', rowShape: [1, 2, 2], layout: 'nhwc' });
  acc.addValues(Uint8Array.from([7, 0, 7, 255]));
  acc.addValues(Uint8Array.from([7, 1, 7, 2]));
  assert.deepEqual(acc.result(), { mean: [7, 64.5], std: [0, Math.sqrt(((0 - 64.5) ** 2 + (255 - 64.5) ** 2 + (1 - 64.5) ** 2 + (2 - 64.5) ** 2) / 4)] });
});

test('uint8 counting agrees with a direct two-pass sum for every channel count and row length', () => {
  // Row lengths that are not multiples of four pixels exercise the one-pass counter's tail.
  for (const channels of [1, 2, 3, 4]) {
    for (const [h, w, rows] of [[1, 1, 1], [3, 5, 3], [7, 5, 2], [16, 16, 4]]) {
      const values = Uint8Array.from({ length: h * w * channels * rows }, (_, i) => (i * 2654435761 + channels) >>> 24);
      const acc = new ChannelStatsAccumulator({ dtype: 'uint8', rowShape: [h, w, channels], layout: 'nhwc' });
      acc.addValues(values.subarray(0, h * w * channels));
      acc.addValues(values.subarray(h * w * channels));
      const got = acc.result()!;
      for (let k = 0; k < channels; k++) {
        const own = values.filter((_, i) => i % channels === k);
        const mean = own.reduce((a, v) => a + v, 0) / own.length;
        const std = Math.sqrt(own.reduce((a, v) => a + (v - mean) ** 2, 0) / own.length);
        assert.ok(Math.abs(got.mean[k] - mean) < 1e-9, `c=${channels} ${h}x${w}x${rows} mean[${k}] ${got.mean[k]} vs ${mean}`);
        assert.ok(Math.abs(got.std[k] - std) < 1e-9, `c=${channels} ${h}x${w}x${rows} std[${k}] ${got.std[k]} vs ${std}`);
      }
    }
  }
});
