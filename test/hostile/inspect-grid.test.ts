/**
 * `inspect --grid` as a hostile user drives it: onto the inspected file, over an existing file,
 * into an inspected folder, and on a valid sparse .npy whose rows are 2.7 GB each.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliProcess, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

async function converted(t: import('node:test').TestContext) {
  const dir = await tempDir(t);
  await makeSolidFolder(join(dir, 'in'), { a: [1, 2, 3], b: [250, 0, 0] }, 2);
  const npz = join(dir, 'd.npz');
  const folder = join(dir, 'e');
  for (const out of [npz, folder]) assert.equal((await cli(['convert', join(dir, 'in'), '--out', out, '--size', '8x8'])).code, 0);
  return { dir, npz, folder };
}

test('--grid onto the inspected file is refused (exit 2) even with --overwrite; the file is intact', async (t) => {
  const { npz, folder } = await converted(t);
  const before = await readFile(npz);
  const r = await cli(['inspect', npz, '--grid', npz, '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /would overwrite the inspected/);
  assert.ok((await readFile(npz)).equals(before));
  const inside = await cli(['inspect', folder, '--grid', join(folder, 'x.npy'), '--overwrite']);
  assert.equal(inside.code, 2, inside.stderr);
  assert.deepEqual(await py<number[]>('import sys, json, numpy as np; print(json.dumps(list(np.load(sys.argv[1]).shape)))', [join(folder, 'x.npy')]), [4, 8, 8, 3]);
});

test('--grid over an existing file needs --overwrite; then it is replaced by a whole PNG', async (t) => {
  const { dir, npz } = await converted(t);
  const sheet = join(dir, 'sheet.png');
  await writeFile(sheet, 'my notes');
  const r = await cli(['inspect', npz, '--grid', sheet]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /already exists; turn on overwrite \(--overwrite\)/);
  assert.equal(await readFile(sheet, 'utf8'), 'my notes');
  const ok = await cli(['inspect', npz, '--grid', sheet, '--overwrite']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual((await readFile(sheet)).subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
});

test('--grid on a valid sparse 2x30000x30000x3 .npy ends cleanly (exit 2, a message), never a Node abort', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const x = join(dir, 'x.npy');
  await py(
    `import sys, json, numpy as np
np.lib.format.open_memmap(sys.argv[1], mode='w+', dtype=np.uint8, shape=(2, 30000, 30000, 3)).flush()
print('null')`,
    [x],
  );
  const r = await cliProcess(['inspect', x, '--grid', join(dir, 'sheet.png')]);
  assert.equal(r.signal, null);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /Rows of x are 30000x30000x3 \(2\.7 GB each\): too large to draw/);
});
