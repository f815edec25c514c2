/**
 * Hostile destinations: --out pointing at the input, its parent, user data, a link to user data.
 * The rule under attack: img2npy never deletes or replaces what it did not write.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const colours: Record<string, [number, number, number]> = { blue: [0, 0, 255], red: [250, 10, 5] };

async function setup(t: import('node:test').TestContext) {
  const dir = await tempDir(t);
  const input = join(dir, 'train');
  await makeSolidFolder(input, colours, 2);
  return { dir, input };
}

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

test('--out equal to the input is refused (exit 2) even with --overwrite, and the input is untouched', async (t) => {
  const { input } = await setup(t);
  const before = await listing(input);
  const r = await cli(['convert', input, '--out', input, '--size', '4x4', '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /is the input folder/);
  assert.ok(r.stderr.includes(input));
  assert.deepEqual(await listing(input), before);
});

test('--out . from the project folder (the parent of the input) is refused and siblings survive', async (t) => {
  const { dir, input } = await setup(t);
  await mkdir(join(dir, 'notes'));
  await writeFile(join(dir, 'notes', 'thesis.txt'), 'years of work');
  const r = await cli(['convert', input, '--out', dir, '--size', '4x4', '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /contains the input folder/);
  assert.equal(await readFile(join(dir, 'notes', 'thesis.txt'), 'utf8'), 'years of work');
  assert.ok((await listing(input)).length > 0);
});

test('an unrelated folder at --out is refused with --overwrite, saying what is there', async (t) => {
  const { dir, input } = await setup(t);
  const out = join(dir, 'arrays');
  await mkdir(out);
  await writeFile(join(out, 'mine.txt'), 'keep');
  const r = await cli(['convert', input, '--out', out, '--size', '4x4', '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /a folder holding 1 entries \(mine\.txt\)/);
  assert.match(r.stderr, /img2npy replaces only outputs it wrote itself/);
  assert.equal(await readFile(join(out, 'mine.txt'), 'utf8'), 'keep');
});

test('a user file at --out (npz) is refused with --overwrite', async (t) => {
  const { dir, input } = await setup(t);
  const out = join(dir, 'data.npz');
  await writeFile(out, 'not ours');
  const r = await cli(['convert', input, '--out', out, '--size', '4x4', '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /a file of 8 bytes that no img2npy manifest lists/);
  assert.equal(await readFile(out, 'utf8'), 'not ours');
});

test('a link at --out pointing to user data is refused, even next to a genuine manifest', async (t) => {
  const { dir, input } = await setup(t);
  const out = join(dir, 'arrays');
  assert.equal((await cli(['convert', input, '--out', out, '--size', '4x4'])).code, 0);
  // Swap the genuine output folder for a link to the user's data, manifest left in place.
  const data = join(dir, 'precious');
  await mkdir(data);
  await writeFile(join(data, 'x.npy'), 'user bytes');
  const { rm } = await import('node:fs/promises');
  await rm(out, { recursive: true });
  await symlink(data, out);
  const r = await cli(['convert', input, '--out', out, '--size', '4x4', '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /a link to/);
  assert.equal(await readFile(join(data, 'x.npy'), 'utf8'), 'user bytes');
});

test('an img2npy output folder that gained a user file is not replaced', async (t) => {
  const { dir, input } = await setup(t);
  const out = join(dir, 'arrays');
  assert.equal((await cli(['convert', input, '--out', out, '--size', '4x4'])).code, 0);
  await writeFile(join(out, 'analysis.ipynb'), '{}');
  const r = await cli(['convert', input, '--out', out, '--size', '4x4', '--overwrite']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /also holds other files \(analysis\.ipynb\)/);
  assert.equal(await readFile(join(out, 'analysis.ipynb'), 'utf8'), '{}');
});

test('--overwrite replaces a previous img2npy output (npz and npy folder); NumPy reads the new one', async (t) => {
  const { dir, input } = await setup(t);
  for (const out of [join(dir, 'a.npz'), join(dir, 'b')]) {
    assert.equal((await cli(['convert', input, '--out', out, '--size', '4x4'])).code, 0);
    const again = await cli(['convert', input, '--out', out, '--size', '6x5'], {});
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists \(an? img2npy (output|manifest) from an earlier run\); turn on overwrite/);
    const r = await cli(['convert', input, '--out', out, '--size', '6x5', '--overwrite']);
    assert.equal(r.code, 0, r.stderr);
    const shape = await py<number[]>(
      `import sys, json, numpy as np, os
p = sys.argv[1]
x = np.load(p)['x'] if p.endswith('.npz') else np.load(os.path.join(p, 'x.npy'))
print(json.dumps(list(x.shape)))`,
      [out],
    );
    assert.deepEqual(shape, [4, 6, 5, 3]);
  }
  // Nothing but the two outputs, their manifests and the input is left: no temporary or backup folders.
  assert.deepEqual((await readdir(dir)).sort(), ['a.manifest.json', 'a.npz', 'b', 'b.manifest.json', 'train']);
});

test('--out inside the input is refused; an output placed there anyway is not scanned as a class', async (t) => {
  const { input } = await setup(t);
  const out = join(input, 'arrays');
  const refused = await cli(['convert', input, '--out', out, '--size', '4x4']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /lies inside the input folder/);
  assert.deepEqual((await readdir(input)).sort(), ['blue', 'red']);
  // Another dataset's output written into this one (allowed: it is outside that other input).
  const other = join(input, '..', 'other');
  await cp(join(input, 'red'), join(other, 'green'), { recursive: true });
  const first = await cli(['convert', other, '--out', out, '--size', '4x4']);
  assert.equal(first.code, 0, first.stderr);
  const second = await cli(['convert', input, '--out', join(input, '..', 'b.npz'), '--size', '4x4', '--json']);
  assert.equal(second.code, 0, second.stderr);
  const report = JSON.parse(second.stdout.trim().split('\n').pop()!) as { classNames: string[] };
  assert.deepEqual(report.classNames, ['blue', 'red']);
  assert.ok((await stat(join(out, 'x.npy'))).isFile());
});
