import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { encode, gradient } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const evil = 'bad\x1b[31mred\nline.png';

/** a: 3 PNGs, b: 2 JPEGs, one text file named .png and one with control characters; a root file; a .txt. */
async function makeFolder(root: string): Promise<void> {
  await mkdir(join(root, 'a'), { recursive: true });
  await mkdir(join(root, 'b'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(join(root, 'a', `${i}.png`), await encode(gradient(10 + i, 6 + 2 * i), 'png'));
  for (let i = 0; i < 2; i++) await writeFile(join(root, 'b', `${i}.jpg`), await encode(gradient(30, 9 + i), 'jpg'));
  await writeFile(join(root, 'b', 'notes.png'), 'not an image at all');
  await writeFile(join(root, 'b', evil), 'nor this');
  await writeFile(join(root, 'b', 'readme.txt'), 'text');
  await writeFile(join(root, 'stray.png'), await encode(gradient(4, 4), 'png'));
}

/** Every path under `dir` with its size and modification time: what "writes nothing" must keep. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true })) {
    const s = await stat(join(dir, e));
    out.push(`${e} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
  }
  return out.sort();
}

interface Report {
  summary: { total: number; classNames: string[]; countsPerClass: Record<string, number>; formats: Record<string, number>; ignored: { file: string }[] };
  probed: number;
  skipped: { file: string; code: string; reason: string }[];
  largest: { height: number; width: number } | null;
  shape: number[] | null;
  outputs: { subset: string; samples: number; shards: number; bytes: number | null }[];
  bytes: number | null;
  format: string;
  warnings: string[];
}

async function scanJson(args: string[]): Promise<Report> {
  const r = await cli(['scan', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON document');
  const doc = JSON.parse(lines[0]);
  assert.equal(doc.type, 'result');
  return doc.data as Report;
}

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let n = 0;
  for (const e of await readdir(path)) n += (await stat(join(path, e))).size;
  return n;
}

test('scan reports classes, formats, what would be skipped and why, shape and bytes, and writes nothing', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeFolder(root);
  const before = await listing(dir);
  const r = await scanJson([root, '--size', '8x8', '--dtype', 'float32', '--out', join(dir, 'ds.npz')]);
  assert.deepEqual(await listing(dir), before);
  assert.deepEqual(r.summary.classNames, ['a', 'b']);
  assert.equal(r.summary.total, 7);
  assert.deepEqual(r.summary.formats, { jpg: 2, png: 5 });
  assert.equal(r.probed, 7);
  assert.deepEqual(r.skipped.map((s) => [s.file, s.code]).sort(), [['b/' + evil, 'unreadable-image'], ['b/notes.png', 'unreadable-image']]);
  for (const s of r.skipped) assert.ok(s.reason.length > 0);
  const ignored = r.summary.ignored.map((s) => s.file).sort();
  assert.ok(ignored.includes('stray.png') && ignored.includes('b/readme.txt'), JSON.stringify(ignored));
  assert.deepEqual(r.largest, { height: 10, width: 30 });
  assert.deepEqual(r.shape, [5, 8, 8, 3]);
  assert.equal(r.format, 'npz');

  // The bytes are what convert then writes.
  const c = await cli(['convert', root, '--size', '8x8', '--dtype', 'float32', '--out', join(dir, 'ds.npz')]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(r.bytes, await sizeOf(join(dir, 'ds.npz')));
});

test('scan bytes and samples match convert for npy folders, a validation split, shards and padding', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeFolder(root);
  const cases: string[][] = [
    ['--size', '5x7', '--format', 'npy', '--layout', 'nchw', '--dtype', 'float16', '--normalize', 'unit'],
    ['--size', '6x6', '--validation-split', '0.4', '--seed', '1', '--shard-size', '2', '--label-mode', 'categorical'],
    ['--resize', 'none', '--labels', 'none', '--color', 'grayscale'],
    ['--size', '4x4', '--batch-size', '2', '--drop-remainder', '--validation-split', '0.2', '--subset', 'training', '--seed', '4'],
  ];
  for (const [i, args] of cases.entries()) {
    const out = join(dir, `o${i}${args.includes('npy') ? '' : '.npz'}`);
    const r = await scanJson([root, ...args, '--out', out]);
    const c = await cli(['convert', root, ...args, '--out', out]);
    assert.equal(c.code, 0, c.stderr);
    const manifest = JSON.parse(await readFile(out.replace(/\.npz$/, '') + '.manifest.json', 'utf8'));
    assert.deepEqual(r.shape, manifest.shape, args.join(' '));
    assert.deepEqual(
      r.outputs.map((o) => [o.subset, o.samples, o.shards]),
      manifest.outputs.map((o: { subset: string; samples: number; files: string[] }) => [o.subset, o.samples, o.files.length]),
      args.join(' '),
    );
    let written = 0;
    for (const o of manifest.outputs as { files: string[] }[]) for (const f of o.files) written += await sizeOf(f);
    assert.equal(r.bytes, written, args.join(' '));
  }
});

test('human output: counts, skipped files with reasons, control characters escaped', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeFolder(root);
  const r = await cli(['scan', root, '--size', '8x8']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Classes: a \(3\), b \(4\)/);
  assert.match(r.stdout, /Formats: jpg 2, png 5/);
  assert.match(r.stdout, /Would skip 4 file\(s\) \(2 by the header probe of 7\):/);
  assert.match(r.stdout, /b\/notes\.png: /);
  assert.ok(r.stdout.includes('bad\\x1b[31mred\\x0aline.png'), r.stdout);
  assert.ok(!r.stdout.includes('\x1b'), 'no raw escape character');
  assert.match(r.stdout, /x: \(5, 8, 8, 3\) uint8 nhwc/);
  assert.match(r.stdout, /Total: [\d.]+ KB \([\d,]+ bytes\) without --compress/);
});

test('without --size the scan still reports, with no shape; invalid options are exit 2 as in convert', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeFolder(root);
  const r = await scanJson([root]);
  assert.equal(r.shape, null);
  assert.equal(r.bytes, null);
  assert.ok(r.warnings.some((w) => /--size/.test(w)));
  assert.equal(r.summary.total, 7);
  const bad = await cli(['scan', root, '--size', '8x8', '--mean', '120']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--mean 0\.470588/);
  assert.equal((await cli(['scan', join(dir, 'missing')])).code, 2);
  assert.equal((await cli(['scan'])).code, 2);
  const help = await cli(['scan', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--mean <a,b,c>/);
  assert.doesNotMatch(help.stdout, /--overwrite/);
});
