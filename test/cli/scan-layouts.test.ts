/**
 * `img2npy scan` predicts what convert writes for dataset layouts: split folders, a generated
 * stratified three-way split, --dedupe across split folders and a metadata file's extra arrays.
 * Each prediction is held to the manifest and the files of the conversion that follows.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const red: [number, number, number] = [255, 0, 0];
const green: [number, number, number] = [0, 255, 0];
const blue: [number, number, number] = [0, 0, 255];

interface Output {
  subset: string;
  path: string | null;
  files: string[] | null;
  samples: number;
  shards: number;
  bytes: number | null;
  arrays: { name: string; shape: number[]; descr: string; dtype: string }[] | null;
}

interface Predicted {
  summary: { layout?: { kind: string; splits: { name: string; total: number }[] } };
  shape: number[] | null;
  outputs: Output[];
  bytes: number | null;
}

interface Manifest {
  shape: number[];
  outputs: { subset: string; path: string; files: string[]; samples: number; bytes: number; arrays: { name: string; shape: number[]; descr: string; dtype: string }[] }[];
}

/** A file's size, or the sum of a folder's files (an npy output). */
async function sizeOf(path: string): Promise<number> {
  if (!(await stat(path)).isDirectory()) return (await stat(path)).size;
  let n = 0;
  for (const e of await readdir(path)) n += (await stat(join(path, e))).size;
  return n;
}

async function scanJson(args: string[]): Promise<Predicted> {
  const r = await cli(['scan', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim()).data as Predicted;
}

/** Scans, converts with the same arguments, and holds every prediction to what was written. */
async function predictionHolds(input: string, out: string, args: string[]): Promise<{ predicted: Predicted; manifest: Manifest }> {
  const predicted = await scanJson([input, ...args, '--out', out]);
  const c = await cli(['convert', input, ...args, '--out', out]);
  assert.equal(c.code, 0, c.stderr);
  const manifest = JSON.parse(await readFile(out.replace(/\.npz$/, '') + '.manifest.json', 'utf8')) as Manifest;
  const what = args.join(' ');
  assert.deepEqual(predicted.shape, manifest.shape, what);
  assert.deepEqual(
    predicted.outputs.map((o) => ({ subset: o.subset, path: o.path, files: o.files, samples: o.samples, bytes: o.bytes, arrays: o.arrays })),
    manifest.outputs.map((o) => ({ subset: o.subset, path: o.path, files: o.files, samples: o.samples, bytes: o.bytes, arrays: o.arrays })),
    what,
  );
  let written = 0;
  for (const o of manifest.outputs) for (const f of o.files) written += await sizeOf(f);
  assert.equal(predicted.bytes, written, what);
  return { predicted, manifest };
}

test('split folders: scan names the per-split outputs, samples, arrays and bytes convert writes', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(join(root, 'train'), { cat: red, dog: green }, 3);
  await makeSolidFolder(join(root, 'valid'), { dog: green }, 2);
  await makeSolidFolder(join(root, 'test'), { cat: red, eel: blue }, 1);
  const { predicted } = await predictionHolds(root, join(dir, 'ds.npz'), ['--size', '4x4']);
  assert.deepEqual(predicted.outputs.map((o) => [o.subset, o.samples]), [['train', 6], ['valid', 2], ['test', 2]]);
  assert.equal(predicted.summary.layout?.kind, 'split-folders');
  assert.deepEqual(predicted.summary.layout?.splits.map((s) => [s.name, s.total]), [['train', 6], ['valid', 2], ['test', 2]]);
  // One class list over all splits: class_names holds all three in every output.
  for (const o of predicted.outputs) assert.deepEqual(o.arrays?.find((a) => a.name === 'class_names')?.shape, [3]);

  // The human output names each split's output file.
  const human = await cli(['scan', root, '--size', '4x4', '--out', join(dir, 'ds.npz')]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /Split valid: 2 sample\(s\), npz, .* → .*ds-valid\.npz/);

  // With --dedupe, copies of earlier splits' files are dropped: scan counts them out as convert does.
  await predictionHolds(root, join(dir, 'dd'), ['--size', '4x4', '--dedupe', '--format', 'npy', '--shard-size', '1']);
});

test('--split 0.8,0.1,0.1 --stratify: scan predicts the three outputs convert writes, shards included', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: red, b: green, c: blue }, 7);
  const args = ['--size', '3x5', '--split', '0.8,0.1,0.1', '--stratify', '--seed', '3', '--dtype', 'float16', '--label-mode', 'categorical'];
  const { predicted } = await predictionHolds(root, join(dir, 's.npz'), args);
  assert.deepEqual(predicted.outputs.map((o) => o.subset), ['train', 'val', 'test']);
  assert.equal(predicted.outputs.reduce((n, o) => n + o.samples, 0), 21);
  await predictionHolds(root, join(dir, 'sh.npz'), [...args, '--shard-size', '4']);
});

test('a metadata file: scan counts its extra arrays in the bytes convert writes', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(join(dir, 'src'), { a: red, b: green }, 2);
  await mkdir(root);
  for (const [from, to] of [['a/img-000.png', '1.png'], ['a/img-001.png', '2.png'], ['b/img-000.png', '3.png']]) await copyFile(join(dir, 'src', from), join(root, to));
  await writeFile(join(root, 'metadata.csv'), 'file_name,class,height_cm,count,caption\n1.png,cat,10.5,3,"a, b"\n2.png,dog,11,-2,é\n3.png,cat,12,40,z\n');
  const { predicted } = await predictionHolds(root, join(dir, 'm.npz'), ['--size', '2x2']);
  assert.deepEqual(predicted.outputs[0].arrays?.map((a) => a.name), ['x', 'y', 'class_names', 'paths', 'height_cm', 'count', 'caption']);
});
