import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SubsetWriter, type SubsetSpec } from '../../../src/core/job/subset-writer.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const rowShape = [4, 3, 3];
const rowBytes = 36;

function spec(dir: string, compress: boolean | null, shardSize: number | null): SubsetSpec {
  return {
    subset: 'train',
    tempDir: dir,
    x: { descr: '|u1', rowShape },
    y: { descr: '<i4', rowShape: [] },
    pathWidth: 8,
    classNames: ['a', 'b'],
    shardSize,
    layout: 'nhwc',
    meta: [{ name: 'w', descr: '<f8', kind: 'float64' }],
    npz: compress === null ? null : { compress },
  };
}

/** Every file under `dir`, relative, recursively. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return out.sort();
}

for (const compress of [false, true]) {
  test(`${compress ? 'deflated' : 'stored'} npz shards: x goes straight into each archive (no x.npy is staged), batches span shard ends`, async (t) => {
    const dir = await tempDir(t);
    const w = new SubsetWriter(spec(dir, compress, 4));
    const all = randomBytes(10 * rowBytes);
    const batch = new Uint8Array(3 * rowBytes);
    let written = 0;
    for (const n of [3, 3, 3, 1]) {
      batch.set(all.subarray(written * rowBytes, (written + n) * rowBytes));
      const y = new Uint8Array(new Int32Array(n).map((_, i) => written + i).buffer);
      const paths = Array.from({ length: n }, (_, i) => `p${written + i}`);
      await w.write(n, batch.subarray(0, n * rowBytes), y, paths, paths.map((_, i) => [(written + i) / 2]));
      written += n;
      const files = await tree(dir);
      assert.ok(!files.some((f) => f.endsWith('x.npy')), `no staged x.npy after ${written} rows: ${files.join(', ')}`);
    }
    assert.ok((await stat(join(dir, 'train-00002.npz'))).size > 0, 'the open shard is an archive growing as rows arrive');
    const staged = await w.finish();
    assert.deepEqual(staged.map((s) => s.rows), [4, 4, 2]);
    assert.deepEqual(staged.map((s) => s.archive), [0, 1, 2].map((i) => join(dir, `train-0000${i}.npz`)));
    const got = await py<{ bad: (string | null)[]; files: string[][]; x: boolean; y: number[]; paths: string[]; w: number[] }>(
      `import sys, json, zipfile, numpy as np
shards = [np.load(p, allow_pickle=False) for p in sys.argv[2:]]
x = np.concatenate([s['x'] for s in shards])
want = np.frombuffer(open(sys.argv[1], 'rb').read(), np.uint8).reshape(10, 4, 3, 3)
print(json.dumps({'bad': [zipfile.ZipFile(p).testzip() for p in sys.argv[2:]], 'files': [s.files for s in shards], 'x': bool(np.array_equal(x, want)),
  'y': np.concatenate([s['y'] for s in shards]).tolist(), 'paths': np.concatenate([s['paths'] for s in shards]).tolist(), 'w': np.concatenate([s['w'] for s in shards]).tolist()}))`,
      [await writeRaw(dir, all), ...staged.map((s) => s.archive!)],
    );
    assert.deepEqual(got.bad, [null, null, null]);
    assert.deepEqual(got.files[0], ['x', 'y', 'class_names', 'paths', 'w']);
    assert.equal(got.x, true, 'x rows in order across shards, none from a reused batch buffer');
    assert.deepEqual(got.y, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(got.paths, Array.from({ length: 10 }, (_, i) => `p${i}`));
    assert.deepEqual(got.w, Array.from({ length: 10 }, (_, i) => i / 2));
  });
}

test('abort mid-shard removes the half-written archive and the staged arrays', async (t) => {
  const dir = await tempDir(t);
  const w = new SubsetWriter(spec(dir, true, null));
  await w.write(2, randomBytes(2 * rowBytes), new Uint8Array(8), ['a', 'b'], [[1], [2]]);
  assert.ok((await tree(dir)).includes('train-00000.npz'));
  await w.abort();
  assert.deepEqual(await tree(dir), []);
});

test('a folder of .npy files (no npz) still stages x.npy', async (t) => {
  const dir = await tempDir(t);
  const w = new SubsetWriter(spec(dir, null, null));
  await w.write(1, randomBytes(rowBytes), new Uint8Array(4), ['a'], [[1]]);
  const [shard] = await w.finish();
  assert.equal(shard.archive, undefined);
  assert.deepEqual(Object.keys(shard.files), ['x', 'y', 'class_names', 'paths', 'w']);
  assert.equal((await stat(shard.files.x)).size, 128 + rowBytes);
});

async function writeRaw(dir: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, 'expected.bin');
  await writeFile(path, bytes);
  return path;
}

test('a shard whose small arrays cannot all be finished fails naming the file, and the others it finished are removed too', async (t) => {
  const dir = await tempDir(t);
  for (const compress of [null, false]) {
    const out = join(dir, String(compress));
    await mkdir(out);
    const w = new SubsetWriter(spec(out, compress, null));
    await w.write(2, randomBytes(2 * rowBytes), new Uint8Array(8), ['a', 'b'], [[1], [2]]);
    // Something in the way of class_names.npy while y, paths and w are closed beside it.
    await mkdir(join(out, 'train-00000', 'class_names.npy'));
    await assert.rejects(w.finish(), (err: unknown) => err instanceof Img2npyError && err.code === 'write-failed' && err.file === join(out, 'train-00000', 'class_names.npy'));
    assert.deepEqual(await tree(out), [], `${compress === null ? '.npy' : '.npz'} shard: nothing left but the folder in the way`);
  }
});
