import assert from 'node:assert/strict';
import { test } from 'node:test';
import { permutation, shuffledWithSeed } from '../../../src/core/scan/shuffle.js';
import { splitCounts, splitSamples } from '../../../src/core/scan/split.js';
import { py } from '../../helpers/python.js';

const fractions = [0.1, 0.15, 0.2, 0.25, 0.29, 0.3, 0.33, 0.5, 0.57, 0.58, 0.7, 0.9, 0.99, 1e-9];
const sizes = [1, 2, 3, 5, 7, 10, 20, 99, 100, 101, 1000, 12345];

test('the validation count is Python int(validation_split * n) for every fraction and size', async () => {
  const ref = await py<number[]>(
    `import sys, json
print(json.dumps([int(v * n) for v in json.loads(sys.argv[1]) for n in json.loads(sys.argv[2])]))`,
    [JSON.stringify(fractions), JSON.stringify(sizes)],
  );
  let k = 0;
  for (const v of fractions) {
    for (const n of sizes) {
      const c = splitCounts(n, v);
      const keras = ref[k++];
      if (keras === 0) {
        assert.deepEqual(c, { training: n, validation: 0, tooFewForValidation: true }, `${v} * ${n}`);
      } else {
        assert.equal(c.validation, keras, `${v} * ${n}`);
        assert.equal(c.training, n - keras);
        assert.equal(c.tooFewForValidation, false);
      }
    }
  }
  // Rounding traps that truncation keeps, as Keras does.
  assert.equal(splitCounts(100, 0.29).validation, 28);
  assert.equal(splitCounts(10, 0.3).validation, 3);
  assert.equal(splitCounts(100, 0.57).validation, 56);
});

test('training is all but the last num_val samples and validation the last num_val, as Keras slices', async () => {
  const items = Array.from({ length: 23 }, (_, i) => `f${i}.jpg`);
  const ref = await py<{ train: string[]; val: string[] }[]>(
    `import sys, json
items = json.loads(sys.argv[1])
out = []
for v in json.loads(sys.argv[2]):
    k = int(v * len(items))
    out.append({'train': items[:-k], 'val': items[-k:]})
print(json.dumps(out))`,
    [JSON.stringify(items), JSON.stringify([0.1, 0.2, 0.5, 0.9])],
  );
  [0.1, 0.2, 0.5, 0.9].forEach((v, i) => {
    const s = splitSamples(items, v);
    assert.deepEqual(s.training, ref[i].train);
    assert.deepEqual(s.validation, ref[i].val);
  });
});

test('num_val == 0: Keras slices samples[:-0] (empty) and samples[-0:] (all); we keep all for training', async () => {
  const items = ['a', 'b', 'c'];
  const keras = await py<{ train: string[]; val: string[] }>(
    `import json
items = ['a', 'b', 'c']
k = int(0.1 * len(items))
print(json.dumps({'train': items[:-k], 'val': items[-k:]}))`,
  );
  assert.deepEqual(keras, { train: [], val: ['a', 'b', 'c'] });
  const ours = splitSamples(items, 0.1);
  assert.deepEqual(ours.training, ['a', 'b', 'c']);
  assert.deepEqual(ours.validation, []);
  assert.equal(ours.counts.tooFewForValidation, true);
});

test('validationSplit 0 means no split at all (Keras: if not validation_split)', () => {
  assert.deepEqual(splitCounts(10, 0), { training: 10, validation: 0, tooFewForValidation: false });
  assert.deepEqual(splitCounts(0, 0.5), { training: 0, validation: 0, tooFewForValidation: false });
});

test('invalid fractions and counts are refused with invalid-option', () => {
  for (const bad of [-0.1, 1, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => splitCounts(10, bad), { code: 'invalid-option', option: 'validationSplit' });
  }
  assert.throws(() => splitCounts(-1, 0.2), { code: 'invalid-option' });
  assert.throws(() => splitCounts(2.5, 0.2), { code: 'invalid-option' });
});

test('shuffling (path, label) pairs once equals Keras shuffling paths and labels with two RandomState(seed)', async () => {
  const paths = Array.from({ length: 57 }, (_, i) => `c${i % 4}/img${i}.jpg`);
  const labels = paths.map((_, i) => i % 4);
  const seeds = [0, 1, 42, 123456, 999999];
  const ref = await py<{ paths: string[]; labels: number[] }[]>(
    `import sys, json, numpy as np
paths = json.loads(sys.argv[1]); labels = json.loads(sys.argv[2])
out = []
for s in json.loads(sys.argv[3]):
    p = list(paths)
    np.random.RandomState(s).shuffle(p)
    l = np.array(labels, dtype='int32')
    np.random.RandomState(s).shuffle(l)
    out.append({'paths': p, 'labels': l.tolist()})
print(json.dumps(out))`,
    [JSON.stringify(paths), JSON.stringify(labels), JSON.stringify(seeds)],
  );
  seeds.forEach((seed, i) => {
    const pairs = shuffledWithSeed(paths.map((p, k) => ({ p, l: labels[k] })), seed);
    assert.deepEqual(pairs.map((x) => x.p), ref[i].paths, `paths, seed ${seed}`);
    assert.deepEqual(pairs.map((x) => x.l), ref[i].labels, `labels, seed ${seed}`);
    // Why it must hold: the shuffle's swaps depend only on the length and the seed.
    assert.deepEqual(permutation(paths.length, seed).map((k) => paths[k]), ref[i].paths);
  });
});
