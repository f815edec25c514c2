import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MT19937 } from '../../../src/core/scan/mt19937.js';
import { drawSeed, permutation, randomInterval, shuffleInPlace, shuffledWithSeed } from '../../../src/core/scan/shuffle.js';
import { py } from '../../helpers/python.js';

const seeds = [0, 1, 42, 123, 1337, 2 ** 31 - 1, 2 ** 32 - 1];
const lengths = [0, 1, 2, 3, 10, 100, 1000, 100000];

test('permutation(n, seed) equals np.random.RandomState(seed).permutation(n) for every seed and length', async () => {
  // NumPy answers with one flat list per (seed, length) to keep the JSON small enough.
  const ref = await py<number[][]>(
    `import sys, json, numpy as np
out = []
for s in json.loads(sys.argv[1]):
    for n in json.loads(sys.argv[2]):
        out.append(np.random.RandomState(s).permutation(n).tolist())
print(json.dumps(out))`,
    [JSON.stringify(seeds), JSON.stringify(lengths)],
  );
  let k = 0;
  for (const seed of seeds) {
    for (const n of lengths) {
      const ours = permutation(n, seed);
      assert.equal(ours.length, n);
      assert.equal(ref[k].length, n);
      assert.ok(ours.every((v, i) => v === ref[k][i]), `permutation(${n}, ${seed}) differs from NumPy`);
      k++;
    }
  }
});

test('shuffling a Python list (the untyped path Keras uses for file paths) gives the same order', async () => {
  const items = ['cat/1.jpg', 'cat/2.jpg', 'dog/a.png', 'dog/b.png', 'é.jpg', '😀.jpg', 'Z.jpg', 'a.jpg', '10.jpg', '2.jpg', 'x y.gif'];
  const ref = await py<string[][]>(
    `import sys, json, numpy as np
items = json.loads(sys.argv[1])
out = []
for s in json.loads(sys.argv[2]):
    x = list(items)
    np.random.RandomState(s).shuffle(x)
    out.append(x)
print(json.dumps(out))`,
    [JSON.stringify(items), JSON.stringify(seeds)],
  );
  seeds.forEach((seed, i) => assert.deepEqual(shuffledWithSeed(items, seed), ref[i], `seed ${seed}`));
});

test('randomInterval follows random_interval: the same values and the same number of raw draws as NumPy', async () => {
  // Generator.integers is not legacy; RandomState.shuffle is the public door to random_interval,
  // so compare the state after shuffles of awkward lengths (just above powers of two reject most).
  const ref = await py<{ pos: number; key0: number }[]>(
    `import json, numpy as np
out = []
for n in [2, 3, 5, 9, 17, 33, 65, 129, 257, 513, 1025]:
    rs = np.random.RandomState(99)
    rs.shuffle(np.arange(n))
    st = rs.get_state()
    out.append({'pos': int(st[2]), 'key0': int(st[1][0])})
print(json.dumps(out))`,
  );
  [2, 3, 5, 9, 17, 33, 65, 129, 257, 513, 1025].forEach((n, i) => {
    const rng = new MT19937(99);
    shuffleInPlace(Array.from({ length: n }, (_, j) => j), rng);
    const st = rng.getState();
    assert.equal(st.pos, ref[i].pos, `draws used for n=${n}`);
    assert.equal(st.key[0], ref[i].key0);
  });
  const rng = new MT19937(5);
  for (let i = 0; i < 1000; i++) {
    const max = (i * 7919) % 5000;
    const v = randomInterval(rng, max);
    assert.ok(Number.isInteger(v) && v >= 0 && v <= max);
  }
  assert.equal(randomInterval(new MT19937(0), 0), 0);
  assert.throws(() => randomInterval(new MT19937(0), -1), RangeError);
  assert.throws(() => randomInterval(new MT19937(0), 2 ** 32), RangeError);
});

test('shuffleInPlace works on typed arrays, returns its argument, and leaves short inputs alone', () => {
  const arr = Int32Array.from([0, 1, 2, 3, 4]);
  assert.equal(shuffleInPlace(arr, new MT19937(42)), arr);
  assert.deepEqual(Array.from(arr), permutation(5, 42));
  assert.deepEqual(shuffleInPlace([], new MT19937(1)), []);
  assert.deepEqual(shuffleInPlace(['only'], new MT19937(1)), ['only']);
});

test('permutation and shuffledWithSeed refuse bad seeds and lengths', () => {
  assert.throws(() => permutation(3, -1), { code: 'invalid-option' });
  assert.throws(() => permutation(-1, 0), { code: 'invalid-option' });
  assert.throws(() => permutation(1.5, 0), { code: 'invalid-option' });
  assert.throws(() => shuffledWithSeed([1], 2 ** 32), { code: 'invalid-option' });
});

test('drawSeed gives integers in 0..999999, like np.random.randint(1e6)', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const s = drawSeed();
    assert.ok(Number.isInteger(s) && s >= 0 && s < 1_000_000, `seed ${s}`);
    seen.add(s);
  }
  assert.ok(seen.size > 150, 'seeds are not random');
});
