import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanSummary } from '../../../src/core/index.js';
import { scanFolder } from '../../../src/core/scan/scan.js';
import type { ScanOptions } from '../../../src/core/types.js';
import { defaultExtensions } from '../../../src/shared/options.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeTree } from '../../helpers/tree.js';

const opts = (over: Partial<ScanOptions> = {}): ScanOptions => ({
  extensions: [...defaultExtensions],
  followLinks: false,
  order: 'default',
  labels: 'auto',
  classNames: null,
  ...over,
});
const rels = (r: { files: { rel: string }[] }) => r.files.map((f) => f.rel);

test('split folders (any case): one shared sorted class list, files split by split in train, val, test order', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['TEST/cat/1.png', 'TEST/eel/1.png', 'Training/cat/1.png', 'Training/dog/1.png', 'Training/dog/2.png', 'valid/dog/1.png', 'valid/notes.txt']);
  const scan = await scanFolder(root, opts());
  assert.equal(scan.layout.kind, 'split-folders');
  assert.deepEqual(scan.layout.splits, ['Training', 'valid', 'TEST']);
  assert.deepEqual(scan.classNames, ['cat', 'dog', 'eel']);
  assert.deepEqual(rels(scan), ['Training/cat/1.png', 'Training/dog/1.png', 'Training/dog/2.png', 'valid/dog/1.png', 'TEST/cat/1.png', 'TEST/eel/1.png']);
  assert.deepEqual(scan.files.map((f) => [f.split, f.label]), [['Training', 0], ['Training', 1], ['Training', 1], ['valid', 1], ['TEST', 0], ['TEST', 2]]);
  assert.ok(scan.ignored.some((i) => i.file === 'valid/notes.txt'));

  const summary = await scanSummary(root, {});
  assert.equal(summary.layout?.kind, 'split-folders');
  assert.deepEqual(summary.layout?.splits, [
    { name: 'Training', total: 3, countsPerClass: { cat: 1, dog: 2, eel: 0 } },
    { name: 'valid', total: 1, countsPerClass: { cat: 0, dog: 1, eel: 0 } },
    { name: 'TEST', total: 2, countsPerClass: { cat: 1, dog: 0, eel: 1 } },
  ]);
});

test('--splits picks split folders (any case); unknown names are refused naming what was found; --no-split-folders makes them classes', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['train/a/1.png', 'val/a/1.png', 'test/b/1.png']);
  const picked = await scanFolder(root, opts({ splits: ['TEST', 'train'] }));
  assert.deepEqual(picked.layout.splits, ['train', 'test']);
  assert.deepEqual(rels(picked), ['train/a/1.png', 'test/b/1.png']);
  await assert.rejects(scanFolder(root, opts({ splits: ['dev'] })), { code: 'invalid-option', option: 'splits', message: /--splits.*dev is not among them; found: train, val, test/ });
  const classes = await scanFolder(root, opts({ splitFolders: false }));
  assert.equal(classes.layout.kind, 'class-folders');
  assert.deepEqual(classes.classNames, ['test', 'train', 'val']);
  // A root with one non-split folder is plain class folders.
  await makeTree(root, ['cats/1.png']);
  assert.deepEqual((await scanFolder(root, opts())).classNames, ['cats', 'test', 'train', 'val']);
});

test('Keras mode keeps Keras meaning: split-named folders are classes (and it says so)', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['train/a/1.png', 'test/a/1.png']);
  const keras = await scanFolder(root, opts({ order: 'keras', labels: 'inferred' }));
  assert.deepEqual(keras.classNames, ['test', 'train']);
  assert.match(keras.warnings.join('\n'), /treated as classes, as Keras does/);
});

test('metadata.csv at the root is used automatically (announced); --labels inferred takes folders', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['x/1.png', 'x/2.png', 'y/3.png']);
  await writeFile(join(root, 'metadata.csv'), 'file_name,label,w\nx/1.png,b,1.5\nx/2.png,a,2\ny/3.png,b,3\n');
  const auto = await scanFolder(root, opts());
  assert.equal(auto.layout.kind, 'metadata-file');
  assert.equal(auto.layout.labelsFile, join(root, 'metadata.csv'));
  assert.match(auto.layout.notes.join('\n'), /Labels from .*metadata\.csv/);
  assert.deepEqual(auto.classNames, ['a', 'b']);
  assert.deepEqual(auto.files.map((f) => [f.rel, f.label, ...(f.meta ?? [])]), [['x/1.png', 1, 1.5], ['x/2.png', 0, 2], ['y/3.png', 1, 3]]);
  const folders = await scanFolder(root, opts({ labels: 'inferred' }));
  assert.deepEqual(folders.classNames, ['x', 'y']);
  assert.deepEqual(folders.metaColumns, []);
});

test('split folders with metadata: one per split folder (paths relative to it), or one at the root naming the split folder', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['train/1.png', 'train/2.png', 'test/1.png']);
  await writeFile(join(root, 'train', 'metadata.jsonl'), '{"file_name":"1.png","label":"cat"}\n{"file_name":"2.png","label":"dog"}\n');
  await writeFile(join(root, 'test', 'metadata.jsonl'), '{"file_name":"1.png","label":"dog"}\n');
  const per = await scanFolder(root, opts());
  assert.deepEqual(per.layout.splits, ['train', 'test']);
  assert.deepEqual(per.files.map((f) => [f.rel, f.split, per.classNames[f.label!]]), [['train/1.png', 'train', 'cat'], ['train/2.png', 'train', 'dog'], ['test/1.png', 'test', 'dog']]);

  const root2 = await tempDir(t);
  await makeTree(root2, ['train/1.png', 'test/1.png']);
  await writeFile(join(root2, 'metadata.csv'), 'file_name,label\ntrain/1.png,a\ntest/1.png,b\n');
  const one = await scanFolder(root2, opts());
  assert.deepEqual(one.files.map((f) => [f.rel, f.split, f.label]), [['train/1.png', 'train', 0], ['test/1.png', 'test', 1]]);

  const root3 = await tempDir(t);
  await makeTree(root3, ['train/1.png', 'test/1.png']);
  await writeFile(join(root3, 'train', 'metadata.csv'), 'file_name,label\n1.png,a\n');
  await assert.rejects(scanFolder(root3, opts()), { code: 'labels-invalid', message: /train hold a metadata file but test does not/ });
});

test('labels none with split folders: every image of each split, no classes', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['val/a/1.png', 'train/2.png']);
  const scan = await scanFolder(root, opts({ labels: 'none' }));
  assert.deepEqual(scan.files.map((f) => [f.rel, f.split, f.label]), [['train/2.png', 'train', null], ['val/a/1.png', 'val', null]]);
});
