/** NumPy as the referee for "these outputs hold the same arrays as that one". */
import assert from 'node:assert/strict';
import { py } from './python.js';

const compare = `
import sys, json, numpy as np
ref = np.load(sys.argv[1])
out = {}
for p in sys.argv[2:]:
    got = np.load(p)
    out[p] = {'keys': sorted(got.files) == sorted(ref.files), 'diff': [k for k in ref.files if k not in got.files or got[k].dtype != ref[k].dtype or not np.array_equal(got[k], ref[k])], 'n': int(len(got['paths']))}
print(json.dumps(out))
`;

/** Asserts every .npz in `others` has exactly the arrays of `ref` (names, dtypes, values), and some rows. */
export async function assertSameArrays(ref: string, others: string[]): Promise<void> {
  const got = await py<Record<string, { keys: boolean; diff: string[]; n: number }>>(compare, [ref, ...others]);
  for (const p of others) {
    assert.ok(got[p].keys, `${p} has other arrays than ${ref}`);
    assert.deepEqual(got[p].diff, [], `${p} differs from ${ref}`);
    assert.ok(got[p].n > 0);
  }
}
