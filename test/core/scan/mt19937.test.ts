import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MT19937 } from '../../../src/core/scan/mt19937.js';
import { py } from '../../helpers/python.js';

const seeds = [0, 1, 42, 123, 1337, 2 ** 31 - 1, 2 ** 32 - 1];

test('seeding leaves the same 624-word state as np.random.RandomState(seed)', async () => {
  const ref = await py<{ key: number[]; pos: number }[]>(
    `import sys, json, numpy as np
out = []
for s in json.loads(sys.argv[1]):
    st = np.random.RandomState(s).get_state()
    out.append({'key': [int(k) for k in st[1]], 'pos': int(st[2])})
print(json.dumps(out))`,
    [JSON.stringify(seeds)],
  );
  seeds.forEach((seed, i) => {
    const state = new MT19937(seed).getState();
    assert.deepEqual(Array.from(state.key), ref[i].key, `key for seed ${seed}`);
    assert.equal(state.pos, ref[i].pos);
  });
});

test('raw 32-bit outputs equal MT19937 random_raw with legacy seeding (3 blocks of 624)', async () => {
  const count = 624 * 3 + 5;
  // random_raw exposes next_uint32 itself; randint over the full uint32 range must agree with it.
  const ref = await py<{ raw: number[]; randint: number[] }[]>(
    `import sys, json, numpy as np
out = []
for s in json.loads(sys.argv[1]):
    bg = np.random.MT19937()
    bg._legacy_seeding(s)
    raw = [int(v) for v in bg.random_raw(int(sys.argv[2]))]
    ri = [int(v) for v in np.random.RandomState(s).randint(0, 2**32, size=int(sys.argv[2]), dtype=np.uint32)]
    out.append({'raw': raw, 'randint': ri})
print(json.dumps(out))`,
    [JSON.stringify(seeds), String(count)],
  );
  seeds.forEach((seed, i) => {
    const rng = new MT19937(seed);
    const ours = Array.from({ length: count }, () => rng.nextUint32());
    assert.deepEqual(ours, ref[i].raw, `raw outputs for seed ${seed}`);
    assert.deepEqual(ref[i].randint, ref[i].raw, 'NumPy randint full range is the raw stream');
  });
});

test('the state after drawing matches NumPy after the same draws', async () => {
  const ref = await py<{ key: number[]; pos: number }>(
    `import json, numpy as np
rs = np.random.RandomState(7)
rs.randint(0, 2**32, size=1000, dtype=np.uint32)
st = rs.get_state()
print(json.dumps({'key': [int(k) for k in st[1]], 'pos': int(st[2])}))`,
  );
  const rng = new MT19937(7);
  for (let i = 0; i < 1000; i++) rng.nextUint32();
  const state = rng.getState();
  assert.equal(state.pos, ref.pos);
  assert.deepEqual(Array.from(state.key), ref.key);
});

test('seeds outside 0..2^32-1 or not integers are refused, as NumPy refuses them', async () => {
  for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => new MT19937(bad), (e: unknown) => (e as { code?: string; option?: string }).code === 'invalid-option' && (e as { option?: string }).option === 'seed');
  }
  const numpy = await py<string[]>(
    `import json, numpy as np
out = []
for s in [-1, 2**32]:
    try:
        np.random.RandomState(s); out.append('ok')
    except ValueError:
        out.append('ValueError')
print(json.dumps(out))`,
  );
  assert.deepEqual(numpy, ['ValueError', 'ValueError']);
});
