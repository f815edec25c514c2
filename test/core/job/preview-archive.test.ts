/**
 * The app's preview reads archive members in place: a .zip, a .tar and a .tar.gz input preview
 * the same images (same PNG bytes, same header sizes) as the unpacked folder, also when padding
 * to the largest image probes every member's header first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { preview } from '../../../src/core/index.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const run = promisify(execFile);

test('preview of a .zip, .tar and .tar.gz input returns the images the folder returns', async (t) => {
  const dir = await tempDir(t);
  await py(
    `
import os, sys, zipfile, numpy as np
from PIL import Image
base = sys.argv[1]
rng = np.random.default_rng(2)
for c, sizes in [('cat', [(9, 7), (12, 5)]), ('dog', [(6, 11), (8, 8)])]:
    os.makedirs(os.path.join(base, 'ds', c))
    for i, (w, h) in enumerate(sizes):
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(os.path.join(base, 'ds', c, f'{i}.png'))
with zipfile.ZipFile(os.path.join(base, 'ds.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for d, _, fs in os.walk(os.path.join(base, 'ds')):
        for f in fs: z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), base))
print('null')
`,
    [dir],
  );
  await run('tar', ['cf', join(dir, 'ds.tar'), '-C', dir, 'ds']);
  await run('tar', ['czf', join(dir, 'ds.tar.gz'), '-C', dir, 'ds']);
  for (const options of [{ size: { height: 4, width: 4 } }, { resize: 'none' as const }]) {
    const ref = await preview(join(dir, 'ds'), options, 4);
    assert.equal(ref.items.length, 4);
    assert.ok(ref.items.every((i) => i.error === null && i.dataUrl !== null));
    const originals = Object.fromEntries(ref.items.map((i) => [i.file, i.original]));
    assert.deepEqual(originals, { 'cat/0.png': { width: 9, height: 7 }, 'dog/0.png': { width: 6, height: 11 }, 'cat/1.png': { width: 12, height: 5 }, 'dog/1.png': { width: 8, height: 8 } });
    for (const archive of ['ds.zip', 'ds.tar', 'ds.tar.gz']) {
      const got = await preview(join(dir, archive), options, 4);
      assert.deepEqual(got.items, ref.items, `${archive} previews other images than the folder (${JSON.stringify(options)})`);
      assert.deepEqual(got.shape, ref.shape);
    }
  }
});
