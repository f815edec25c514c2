/**
 * inspect reads every array a conversion writes, the metadata columns included: whole numbers
 * (int64) and other numbers (float64) beside x, with min, max and mean as NumPy gives them.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

test('inspect --json lists int64 and float64 metadata columns with NumPy\'s min, max and mean', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [200, 0, 0], b: [0, 200, 0] }, 3);
  const rows = ['file_name,label,count,weight', 'a/img-000.png,x,3,0.5', 'a/img-001.png,x,-7,1.25', 'a/img-002.png,y,12,2', 'b/img-000.png,y,40,-3.5', 'b/img-001.png,x,5,0.125', 'b/img-002.png,y,0,9'];
  await writeFile(join(root, 'metadata.csv'), rows.join('\n') + '\n');
  const out = join(dir, 'o.npz');
  const converted = await cli(['convert', root, '--out', out, '--size', '4x4']);
  assert.equal(converted.code, 0, converted.stderr);
  const inspected = await cli(['inspect', out, '--json']);
  assert.equal(inspected.code, 0, inspected.stderr);
  const report = JSON.parse(inspected.stdout.trim().split('\n').pop()!).data;
  const ref = await py<Record<string, [string, number, number, number]>>(`
import json, sys, numpy as np
z = np.load(sys.argv[1], allow_pickle=False)
print(json.dumps({k: [str(z[k].dtype), float(z[k].min()), float(z[k].max()), float(z[k].mean())] for k in ('count', 'weight')}))`, [out]);
  for (const name of ['count', 'weight']) {
    const array = report.arrays.find((a: { name: string }) => a.name === name);
    assert.ok(array, `inspect lists ${name}: ${inspected.stdout}`);
    const [dtype, min, max, mean] = ref[name];
    assert.equal(array.descr, dtype === 'int64' ? '<i8' : '<f8');
    assert.deepEqual([array.min, array.max], [min, max], name);
    assert.ok(Math.abs(array.mean - mean) < 1e-12, `${name} mean ${array.mean} vs ${mean}`);
  }
});
