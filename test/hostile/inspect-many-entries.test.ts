/**
 * An .npz of 20,000 small arrays (NumPy writes one ZIP entry per array). Looking each array up
 * by scanning the entry list made inspecting it quadratic: minutes. Every array must be listed
 * with its shape and dtype, and the run must finish well inside the test's time limit, which is
 * a bound on the complexity (the linear reader takes seconds), not a speed goal.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

test('inspect lists all 20,000 arrays of an .npz, each with its shape and dtype', { timeout: 90_000 }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'many.npz');
  await py<null>(
    `import sys, json, numpy as np
arrays = {f'a{i:05d}': np.full((i % 3 + 1,), i, dtype=np.int32 if i % 2 else np.float32) for i in range(20000)}
np.savez(sys.argv[1], **arrays)
print('null')`,
    [file],
  );
  const r = await cli(['inspect', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { data: { arrays: { name: string; shape: number[]; dtype: string }[] } };
  const arrays = result.data.arrays;
  assert.equal(arrays.length, 20000);
  const byName = new Map(arrays.map((a) => [a.name, a]));
  for (const i of [0, 1, 2, 9999, 19999]) {
    const a = byName.get(`a${String(i).padStart(5, '0')}`)!;
    assert.deepEqual(a.shape, [(i % 3) + 1]);
    assert.equal(a.dtype, i % 2 ? 'int32' : 'float32');
  }
});
