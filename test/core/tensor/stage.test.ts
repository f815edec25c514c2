import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backendForJob, loadBackend, type LoadedBackend } from '../../../src/core/tensor/backend.js';
import { createTensorStage, type TensorPlan } from '../../../src/core/tensor/stage.js';
import type { DecodedImage } from '../../../src/core/types.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

/** Deterministic pseudo-random bytes (an LCG: the test must not depend on Math.random). */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function images(n: number, h: number, w: number, c: 1 | 3 | 4, seed: number): DecodedImage[] {
  const all = randomBytes(n * h * w * c, seed);
  // The 0 and 255 extremes must be present: they are where clipping and scaling errors show.
  all[0] = 0;
  all[1] = 255;
  return Array.from({ length: n }, (_, i) => ({ data: all.subarray(i * h * w * c, (i + 1) * h * w * c), height: h, width: w, channels: c }));
}

function plan(over: Partial<TensorPlan>): TensorPlan {
  return { height: 5, width: 7, channels: 3, dtype: 'float32', normalize: 'none', mean: null, std: null, layout: 'nhwc', resize: null, ...over };
}

/** NumPy's float32 computation of the same formulas, in the same order, as the referee. */
const numpyStage = `import sys, json, numpy as np
p = json.loads(sys.argv[1]); f = np.float32
x = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(-1, p['height'], p['width'], p['channels']).astype(np.float32)
n = p['normalize']
if n == 'unit': x = x / f(255)
elif n == 'symmetric': x = x / f(127.5) - f(1)
elif n == 'imagenet': x = (x / f(255) - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
elif n == 'custom': x = (x / f(255) - np.array(p['mean'], np.float32)) / np.array(p['std'], np.float32)
assert x.dtype == np.float32
if p['layout'] == 'nchw': x = x.transpose(0, 3, 1, 2)
x = np.ascontiguousarray(x).astype({'uint8': '|u1', 'float32': '<f4', 'float16': '<f2'}[p['dtype']])
x.tofile(sys.argv[3])
print(json.dumps(list(x.shape)))`;

const cases: Partial<TensorPlan>[] = [
  { dtype: 'uint8' },
  { dtype: 'uint8', layout: 'nchw' },
  { dtype: 'float32', channels: 1 },
  { dtype: 'float32', normalize: 'unit' },
  { dtype: 'float16', normalize: 'unit', layout: 'nchw' },
  { dtype: 'float32', normalize: 'symmetric', channels: 4 },
  { dtype: 'float16', normalize: 'symmetric' },
  { dtype: 'float32', normalize: 'imagenet', layout: 'nchw' },
  { dtype: 'float16', normalize: 'imagenet' },
  { dtype: 'float32', normalize: 'custom', mean: [0.5, 0.25, 0.125], std: [0.2, 0.3, 0.7] },
  { dtype: 'float16', normalize: 'custom', mean: [0.498], std: [0.0118], channels: 1, layout: 'nchw' },
  { dtype: 'float32', normalize: 'custom', mean: [0.5], std: [0.25], channels: 4 },
];

for (const over of cases) {
  const p = plan(over);
  test(`${p.normalize} → ${p.dtype} ${p.layout} (${p.channels} ch) equals NumPy's float32 arithmetic on wasm and cpu`, async (t) => {
    const dir = await tempDir(t);
    const batch = images(3, p.height, p.width, p.channels, 7 + cases.indexOf(over));
    await writeFile(join(dir, 'x.u8'), Buffer.concat(batch.map((b) => b.data)));
    const shape = await py<number[]>(numpyStage, [JSON.stringify(p), join(dir, 'x.u8'), join(dir, 'want.bin')]);
    const want = new Uint8Array(await readFile(join(dir, 'want.bin')));
    for (const name of ['wasm', 'cpu'] as const) {
      const stage = createTensorStage(await loadBackend(name), p);
      assert.deepEqual([batch.length, ...stage.rowShape], shape);
      const got = await stage.processBatch(batch);
      assert.equal(got.length, batch.length * stage.rowBytes);
      assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${name}: bytes differ from NumPy (max |Δ| ${maxDelta(got, want, p.dtype)})`);
    }
  });
}

function maxDelta(a: Uint8Array, b: Uint8Array, dtype: TensorPlan['dtype']): number {
  if (dtype !== 'float32') return NaN;
  const x = new Float32Array(a.slice().buffer);
  const y = new Float32Array(b.slice().buffer);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
}

test('memory does not grow across many batches, on both backends and with a Keras resize', async () => {
  for (const name of ['wasm', 'cpu'] as const) {
    const loaded = await loadBackend(name);
    const plans = [
      plan({ normalize: 'imagenet', layout: 'nchw', dtype: 'float16' }),
      plan({ normalize: 'unit', resize: { method: 'bilinear', aspect: 'pad' } }),
      plan({ dtype: 'uint8', resize: { method: 'nearest', aspect: 'crop' } }),
    ];
    for (const p of plans) {
      const stage = createTensorStage(loaded, p);
      const batch = [...images(2, 9, 4, 3, 1), ...images(2, 5, 7, 3, 2)].filter((img) => p.resize || img.height === 5);
      await stage.processBatch(batch); // warm-up: backends allocate once on first use
      const before = loaded.tf.memory();
      for (let i = 0; i < 300; i++) await stage.processBatch(batch);
      const after = loaded.tf.memory();
      assert.equal(after.numTensors, before.numTensors, `${name} ${JSON.stringify(p.resize)}: tensors leaked`);
      assert.equal(after.numBytes, before.numBytes, `${name}: bytes leaked`);
    }
  }
});

test('a batch of none gives no bytes; the plain uint8 case is a byte copy', async () => {
  const stage = createTensorStage(await loadBackend('cpu'), plan({ dtype: 'uint8' }));
  assert.equal((await stage.processBatch([])).length, 0);
  const batch = images(2, 5, 7, 3, 3);
  assert.ok(Buffer.from(await stage.processBatch(batch)).equals(Buffer.concat(batch.map((b) => b.data))));
  assert.equal(stage.descr, '|u1');
  assert.equal(stage.rowBytes, 5 * 7 * 3);
});

test('without tfjs (no tensor operation) rows are the same bytes as on a backend; a plan with one refuses to start', async () => {
  const none = await backendForJob('auto', false);
  const cpu = await loadBackend('cpu');
  const batch = images(3, 5, 7, 3, 11);
  const plans = [
    plan({ dtype: 'uint8' }),
    plan({ dtype: 'float32' }),
    plan({ dtype: 'float16' }),
    plan({ dtype: 'float32', height: 3, width: 4, resize: { method: 'bilinear', aspect: 'crop' } }),
    plan({ dtype: 'uint8', height: 6, width: 9, resize: { method: 'nearest', aspect: 'pad' } }),
  ];
  for (const p of plans) {
    const want = await createTensorStage(cpu, p).processBatch(batch);
    const got = await createTensorStage(none, p).processBatch(batch);
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), JSON.stringify(p));
  }
  for (const over of [{ normalize: 'unit' }, { layout: 'nchw' }] as const) {
    assert.throws(() => createTensorStage(none, plan(over)), (err: unknown) => err instanceof Img2npyError && err.code === 'internal');
  }
});

test('descr and row shape follow dtype and layout', async () => {
  const loaded = await loadBackend('cpu');
  const s = createTensorStage(loaded, plan({ dtype: 'float16', layout: 'nchw', channels: 1 }));
  assert.deepEqual(s.rowShape, [1, 5, 7]);
  assert.equal(s.descr, '<f2');
  assert.equal(s.rowBytes, 5 * 7 * 2);
});

test('plans the stage cannot honour are invalid-option errors naming the option', async () => {
  const loaded: LoadedBackend = await loadBackend('cpu');
  const bad: [Partial<TensorPlan>, string, RegExp][] = [
    [{ normalize: 'imagenet', channels: 1 }, 'normalize', /rgb \(3 channels\)/],
    [{ normalize: 'imagenet', channels: 4 }, 'normalize', /--normalize custom/],
    [{ normalize: 'unit', dtype: 'uint8' }, 'dtype', /float32 or float16/],
    [{ normalize: 'custom', mean: null, std: [1] }, 'mean', /1 or 3 finite numbers/],
    [{ normalize: 'custom', mean: [1, 2], std: [1] }, 'mean', /received \[1,2\]/],
    [{ normalize: 'custom', mean: [1], std: [0] }, 'std', /non-zero/],
    [{ height: 0 }, 'size', /positive integer for height/],
    [{ width: 2.5 }, 'size', /positive integer for width/],
    [{ channels: 2 as never }, 'color', /1, 3 or 4 channels/],
  ];
  for (const [over, option, message] of bad) {
    assert.throws(() => createTensorStage(loaded, plan(over)), (err: unknown) =>
      err instanceof Img2npyError && err.code === 'invalid-option' && err.option === option && message.test(err.message),
    `${JSON.stringify(over)}`);
  }
});

test('images that do not match the plan are refused before any work', async () => {
  const stage = createTensorStage(await loadBackend('cpu'), plan({ normalize: 'unit' }));
  const [good] = images(1, 5, 7, 3, 4);
  const wrong: DecodedImage[] = [
    { ...good, height: 6, data: new Uint8Array(6 * 7 * 3) },
    { ...good, channels: 1, data: new Uint8Array(5 * 7) },
    { ...good, data: good.data.subarray(1) },
  ];
  for (const img of wrong) {
    await assert.rejects(stage.processBatch([good, img]), (err: unknown) => err instanceof Img2npyError && err.code === 'internal' && /Image 1 /.test(err.message));
  }
});

test("custom with torchvision's ImageNet mean/std (0-1 scale) gives imagenet's bytes exactly", async () => {
  const batch = images(3, 5, 7, 3, 11);
  for (const name of ['wasm', 'cpu'] as const) {
    for (const dtype of ['float32', 'float16'] as const) {
      const loaded = await loadBackend(name);
      const imagenet = await createTensorStage(loaded, plan({ dtype, normalize: 'imagenet' })).processBatch(batch);
      const custom = await createTensorStage(loaded, plan({ dtype, normalize: 'custom', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] })).processBatch(batch);
      assert.ok(Buffer.from(custom).equals(Buffer.from(imagenet)), `${name} ${dtype}`);
    }
  }
});
