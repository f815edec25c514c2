/**
 * Dataset layouts through the CLI, checked by NumPy: split folders become one output per split
 * with one class list; metadata files give labels and extra arrays; generated splits shuffle by
 * default, are three-way and stratified on request.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const arrays = `
import sys, json, os, numpy as np
def load(p):
    if os.path.isdir(p):
        return {f[:-4]: np.load(os.path.join(p, f)) for f in sorted(os.listdir(p))}
    d = np.load(p, allow_pickle=False)
    return {k: d[k] for k in d.files}
out = {}
for p in sys.argv[1:]:
    d = load(p)
    out[p] = {k: {'dtype': v.dtype.str, 'shape': list(v.shape), 'value': v.tolist() if k != 'x' else v.reshape(len(v), -1)[:, :3].tolist()} for k, v in d.items()}
print(json.dumps(out))
`;
type Arrays = Record<string, Record<string, { dtype: string; shape: number[]; value: unknown[] }>>;

const red: [number, number, number] = [255, 0, 0];
const green: [number, number, number] = [0, 255, 0];
const blue: [number, number, number] = [0, 0, 255];

test('split folders → ds-<split>.npz each, one shared class_names; the arrays equal converting each split alone', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(join(root, 'train'), { cat: red, dog: green }, 3);
  await makeSolidFolder(join(root, 'valid'), { dog: green }, 2);
  await makeSolidFolder(join(root, 'test'), { cat: red, eel: blue }, 1);
  const r = await cli(['convert', root, '--out', join(dir, 'ds.npz'), '--size', '4x4']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Split folders found .*train, valid, test/);
  assert.match(r.stderr, /Split valid has no images of classes cat, eel \(they keep their index\)/);
  assert.deepEqual((await readdir(dir)).sort(), ['ds-test.npz', 'ds-train.npz', 'ds-valid.npz', 'ds.manifest.json', 'in']);
  const names = ['train', 'valid', 'test'].map((s) => join(dir, `ds-${s}.npz`));
  const got = await py<Arrays>(arrays, names);
  for (const p of names) {
    assert.deepEqual(got[p].class_names.value, ['cat', 'dog', 'eel']);
    const paths = got[p].paths.value as string[];
    const y = got[p].y.value as number[];
    paths.forEach((path, i) => assert.equal(['cat', 'dog', 'eel'][y[i]], path.split('/')[1], path));
  }
  assert.deepEqual(got[names[1]].y.value, [1, 1]);
  assert.deepEqual(got[names[2]].x.value, [[255, 0, 0], [0, 0, 255]]);

  // The same as converting one split folder alone with the shared class list.
  const alone = join(dir, 'alone.npz');
  assert.equal((await cli(['convert', join(root, 'test'), '--out', alone, '--size', '4x4', '--class-names', 'cat,eel'])).code, 0);
  const ref = (await py<Arrays>(arrays, [alone]))[alone];
  assert.deepEqual(got[names[2]].x.value, ref.x.value);

  // --splits picks; .npy folders are named the same way.
  const r2 = await cli(['convert', root, '--out', join(dir, 'npy'), '--size', '4x4', '--splits', 'test,train']);
  assert.equal(r2.code, 0, r2.stderr);
  const picked = await py<Arrays>(arrays, [join(dir, 'npy-train'), join(dir, 'npy-test')]);
  assert.equal(picked[join(dir, 'npy-train')].x.shape[0], 6);
  assert.deepEqual(picked[join(dir, 'npy-test')].class_names.value, ['cat', 'dog', 'eel']);
  assert.ok(!(await readdir(dir)).includes('npy-valid'));

  // --no-split-folders: the split folders are classes, as before.
  const r3 = await cli(['convert', root, '--out', join(dir, 'flat.npz'), '--size', '4x4', '--no-split-folders']);
  assert.equal(r3.code, 0, r3.stderr);
  assert.deepEqual((await py<Arrays>(arrays, [join(dir, 'flat.npz')]))[join(dir, 'flat.npz')].class_names.value, ['test', 'train', 'valid']);
});

test('metadata.csv: labels from it, every other column an array (int64, float64, <U), a clash gets meta_; a missing value names the row', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(join(dir, 'src'), { a: red, b: green }, 2);
  await mkdir(root);
  for (const [from, to] of [['a/img-000.png', '1.png'], ['a/img-001.png', '2.png'], ['b/img-000.png', '3.png']]) await copyFile(join(dir, 'src', from), join(root, to));
  await writeFile(join(root, 'metadata.csv'), 'file_name,class,height_cm,count,caption,x\n1.png,cat,10.5,3,"a, b",1\n2.png,dog,11,-2,é,2\n3.png,cat,12,40,z,3\n');
  const out = join(dir, 'm.npz');
  const r = await cli(['convert', root, '--out', out, '--size', '2x2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Labels from .*metadata\.csv/);
  const d = (await py<Arrays>(arrays, [out]))[out];
  assert.deepEqual(Object.keys(d).sort(), ['caption', 'class_names', 'count', 'height_cm', 'meta_x', 'paths', 'x', 'y']);
  assert.deepEqual([d.y.value, d.class_names.value], [[0, 1, 0], ['cat', 'dog']]);
  assert.deepEqual([d.height_cm.dtype, d.height_cm.value], ['<f8', [10.5, 11, 12]]);
  assert.deepEqual([d.count.dtype, d.count.value], ['<i8', [3, -2, 40]]);
  assert.deepEqual([d.caption.dtype, d.caption.value], ['<U4', ['a, b', 'é', 'z']]);
  assert.deepEqual([d.meta_x.dtype, d.meta_x.value], ['<i8', [1, 2, 3]]);

  await writeFile(join(root, 'metadata.csv'), 'file_name,class,height_cm\n1.png,cat,10.5\n2.png,dog,\n');
  const bad = await cli(['convert', root, '--out', join(dir, 'bad.npz'), '--size', '2x2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /metadata\.csv line 3: no value for column height_cm/);
  // --labels inferred ignores the metadata file (then the root has no class folders).
  const inferred = await cli(['convert', root, '--out', join(dir, 'i.npz'), '--size', '2x2', '--labels', 'inferred']);
  assert.equal(inferred.code, 2);
  assert.match(inferred.stderr, /No class folders/);
});

test('--validation-split shuffles by default (issue 9: no more validation = the last classes); --no-shuffle warns', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  const digits = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`d${i}`, [i * 25, 0, 0] as [number, number, number]]));
  await makeSolidFolder(root, digits, 4, 2, 2);
  const r = await cli(['convert', root, '--out', join(dir, 'a.npz'), '--size', '2x2', '--validation-split', '0.2', '--seed', '5']);
  assert.equal(r.code, 0, r.stderr);
  const val = (await py<Arrays>(arrays, [join(dir, 'a-val.npz')]))[join(dir, 'a-val.npz')];
  assert.equal(val.y.shape[0], 8);
  assert.ok(new Set(val.y.value as number[]).size > 2, `validation holds ${JSON.stringify(val.y.value)}`);

  const n = await cli(['convert', root, '--out', join(dir, 'b.npz'), '--size', '2x2', '--validation-split', '0.2', '--no-shuffle']);
  assert.equal(n.code, 0, n.stderr);
  assert.match(n.stderr, /--no-shuffle.*val holds only d8, d9/);
  assert.deepEqual((await py<Arrays>(arrays, [join(dir, 'b-val.npz')]))[join(dir, 'b-val.npz')].y.value, [8, 8, 8, 8, 9, 9, 9, 9]);
});

test('--split 0.6,0.2,0.2 --stratify: train, val, test with every class within one image of its share', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: red, b: green }, 10, 2, 2);
  await makeSolidFolder(root, { c: blue }, 5, 2, 2);
  const r = await cli(['convert', root, '--out', join(dir, 's.npz'), '--size', '2x2', '--split', '0.6,0.2,0.2', '--stratify', '--seed', '1']);
  assert.equal(r.code, 0, r.stderr);
  const names = ['train', 'val', 'test'].map((s) => join(dir, `s-${s}.npz`));
  const got = await py<Arrays>(arrays, names);
  const fr = [0.6, 0.2, 0.2];
  const perClass = [10, 10, 5];
  const all: string[] = [];
  names.forEach((p, k) => {
    const y = got[p].y.value as number[];
    all.push(...(got[p].paths.value as string[]));
    perClass.forEach((n, c) => assert.ok(Math.abs(y.filter((v) => v === c).length - fr[k] * n) < 1, `${p} class ${c}`));
  });
  assert.equal(new Set(all).size, 25, 'each image in exactly one split');
  const again = await cli(['convert', root, '--out', join(dir, 't.npz'), '--size', '2x2', '--split', '0.6,0.2,0.2', '--stratify', '--seed', '1']);
  assert.equal(again.code, 0);
  const t2 = join(dir, 't-val.npz');
  assert.deepEqual((await py<Arrays>(arrays, [t2]))[t2].paths.value, got[names[1]].paths.value, 'same seed, same split');
  const bad = await cli(['convert', root, '--out', join(dir, 'u.npz'), '--size', '2x2', '--split', '0.6,0.2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /sum to 1.*--split|--split.*sum to 1/);
});

test('leakage: identical files in two splits are named with a count (console and manifest); --dedupe drops the later copies and lists them', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(join(root, 'train'), { cat: red, dog: green }, 2, 6, 6);
  await makeSolidFolder(join(root, 'test'), { cat: [250, 5, 5], dog: [5, 250, 5] }, 2, 5, 5);
  // test/dog/img-001.png and test/cat/img-000.png are copies of training images.
  await copyFile(join(root, 'train', 'dog', 'img-000.png'), join(root, 'test', 'dog', 'img-001.png'));
  await copyFile(join(root, 'train', 'cat', 'img-001.png'), join(root, 'test', 'cat', 'img-000.png'));
  const r = await cli(['convert', root, '--out', join(dir, 'a.npz'), '--size', '4x4']);
  assert.equal(r.code, 0, r.stderr);
  // Solid images of one class are byte-identical: each class's train pair and its test copy.
  assert.match(r.stderr, /Leakage between splits: 6 files in 2 groups have identical content in more than one split: .*train\/cat\/img-000\.png = train\/cat\/img-001\.png = test\/cat\/img-000\.png.*--dedupe/);
  const manifest = JSON.parse(await readFile(join(dir, 'a.manifest.json'), 'utf8')) as { warnings: string[] };
  assert.ok(manifest.warnings.some((w) => w.startsWith('Leakage between splits: 6 files')));
  assert.equal((await py<Arrays>(arrays, [join(dir, 'a-test.npz')]))[join(dir, 'a-test.npz')].x.shape[0], 4);

  const d = await cli(['convert', root, '--out', join(dir, 'b.npz'), '--size', '4x4', '--dedupe', '--json']);
  assert.equal(d.code, 0, d.stderr);
  const report = d.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; skipped?: { file: string; code: string; reason: string }[] }).find((e) => e.type === 'report')!;
  assert.deepEqual(report.skipped!.map((s) => [s.file, s.code]), [['test/cat/img-000.png', 'duplicate-image'], ['test/dog/img-001.png', 'duplicate-image']]);
  assert.match(report.skipped![0].reason, /identical to train\/cat\/img-000\.png/);
  const test_ = join(dir, 'b-test.npz');
  const train = join(dir, 'b-train.npz');
  const got = await py<Arrays>(arrays, [train, test_]);
  assert.deepEqual(got[test_].paths.value, ['test/cat/img-001.png', 'test/dog/img-000.png']);
  assert.equal(got[train].x.shape[0], 4, 'the first copies stay in train');
});
