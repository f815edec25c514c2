import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

test('presets save → list/show → convert --preset, flags override; delete', async (t) => {
  const dir = await tempDir(t);
  const env = { XDG_CONFIG_HOME: join(dir, 'config') };
  const saved = await cli(['presets', 'save', 'my224', '--size', '6x10', '--resize', 'crop', '--normalize', 'unit'], env);
  assert.equal(saved.code, 0, saved.stderr);
  const list = await cli(['presets', 'list', '--json'], env);
  assert.equal(list.code, 0);
  const listed = JSON.parse(list.stdout.trim()).data;
  assert.deepEqual(listed, [{ name: 'my224', options: { size: { height: 6, width: 10 }, resize: 'crop', normalize: 'unit' } }]);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [255, 255, 255] }, 2);
  const out = join(dir, 'o.npz');
  const r = await cli(['convert', root, '--preset', 'my224', '--out', out, '--size', '5x5'], env);
  assert.equal(r.code, 0, r.stderr);
  const x = await py<{ shape: number[]; dtype: string; max: number }>(
    `import sys, json, numpy as np
x = np.load(sys.argv[1], allow_pickle=False)['x']
print(json.dumps({'shape': list(x.shape), 'dtype': x.dtype.str, 'max': float(x.max())}))`,
    [out],
  );
  assert.deepEqual(x, { shape: [2, 5, 5, 3], dtype: '<f4', max: 1 });
  assert.equal((await cli(['presets', 'delete', 'my224'], env)).code, 0);
  const gone = await cli(['convert', root, '--preset', 'my224', '--out', join(dir, 'p.npz')], env);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /No preset named "my224"/);
});

test('a corrupt preset file is named in the error and kept', async (t) => {
  const dir = await tempDir(t);
  const env = { XDG_CONFIG_HOME: dir };
  const { mkdir, writeFile, readFile } = await import('node:fs/promises');
  await mkdir(join(dir, 'img2npy', 'presets'), { recursive: true });
  const file = join(dir, 'img2npy', 'presets', 'bad.json');
  await writeFile(file, '{"options": {"dtype": "int8"}}');
  const r = await cli(['presets', 'list'], env);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(file), r.stderr);
  assert.match(r.stderr, /dtype/);
  const save = await cli(['presets', 'save', 'bad', '--size', '4x4'], env);
  assert.equal(save.code, 2);
  assert.equal(await readFile(file, 'utf8'), '{"options": {"dtype": "int8"}}');
});

test('inspect reports shapes, dtypes, value range and class counts; --grid writes a contact sheet', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { cat: [200, 10, 10], dog: [10, 10, 200] }, 3);
  const out = join(dir, 'o.npz');
  assert.equal((await cli(['convert', root, '--out', out, '--size', '8x8'])).code, 0);
  const grid = join(dir, 'sheet.png');
  const r = await cli(['inspect', out, '--grid', grid, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout.trim()).data;
  const x = res.arrays.find((a: { name: string }) => a.name === 'x');
  assert.deepEqual([x.shape, x.dtype, x.min, x.max], [[6, 8, 8, 3], 'uint8', 10, 200]);
  assert.deepEqual(res.countsPerClass, { cat: 3, dog: 3 });
  assert.deepEqual(res.classNames, ['cat', 'dog']);
  const meta = await sharp(grid).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(meta.width! >= 6 * 100);
  const text = await cli(['inspect', out]);
  assert.match(text.stdout, /x\s+\(6, 8, 8, 3\)\s+uint8\s+min 10\s+max 200/);
  const notArray = await cli(['inspect', join(root, 'cat', 'img-000.png')]);
  assert.equal(notArray.code, 2);
  assert.match(notArray.stderr, /img-000\.png/);
});
