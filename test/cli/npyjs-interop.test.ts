/** A second, independent JS reader (npyjs) parses what we write, as a browser-side user would. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'npyjs';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const bytes = async (path: string): Promise<ArrayBuffer> => {
  const b = await readFile(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

test('npyjs parses our x.npy and y.npy with the right shape, dtype and values', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [11, 22, 33], b: [44, 55, 66] }, 2);
  const out = join(dir, 'arrays');
  for (const dtype of ['uint8', 'float32'] as const) {
    const r = await cli(['convert', root, '--out', out, '--size', '3x5', '--dtype', dtype, '--overwrite']);
    assert.equal(r.code, 0, r.stderr);
    const x = parse(await bytes(join(out, 'x.npy')));
    assert.deepEqual(x.shape, [4, 3, 5, 3]);
    assert.equal(x.dtype, dtype === 'uint8' ? 'u1' : 'f4');
    assert.deepEqual(Array.from(x.data as unknown as ArrayLike<number>).slice(0, 3), [11, 22, 33]);
    assert.deepEqual(Array.from(x.data as unknown as ArrayLike<number>).slice(-3), [44, 55, 66]);
    const y = parse(await bytes(join(out, 'y.npy')));
    assert.deepEqual(Array.from(y.data as unknown as ArrayLike<number>), [0, 0, 1, 1]);
  }
});
