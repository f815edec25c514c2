/**
 * Common mistakes, answered in the words the user typed: flag names, the value as typed,
 * explicit naming rules for --out, presets that are not replaced silently.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

test('--size 0x10 names the flag and shows the value as typed, not [object Object]', async () => {
  const r = await cli(['convert', 'anywhere', '--out', 'o.npz', '--size', '0x10']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /for --size but received 0x10\b/);
  assert.doesNotMatch(r.stderr, /object Object/);
});

test('engine messages name flags, not internal option keys', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { a: [1, 2, 3], b: [4, 5, 6], c: [7, 8, 9] }, 1);
  const binary = await cli(['convert', input, '--out', join(dir, 'o.npz'), '--size', '4x4', '--label-mode', 'binary']);
  assert.equal(binary.code, 2, binary.stderr);
  assert.match(binary.stderr, /--label-mode binary/);
  assert.doesNotMatch(binary.stderr, /labelMode/);
  const names = await cli(['convert', input, '--out', join(dir, 'o.npz'), '--size', '4x4', '--class-names', 'a,zzz']);
  assert.equal(names.code, 2, names.stderr);
  assert.match(names.stderr, /--class-names/);
  assert.doesNotMatch(names.stderr, /classNames/);
  const noSize = await cli(['convert', input, '--out', join(dir, 'o.npz')]);
  assert.equal(noSize.code, 2, noSize.stderr);
  assert.match(noSize.stderr, /for --size when --resize is stretch/);
});

test('--out naming rules: .npy refused, .NPZ kept as typed, a format that contradicts the name refused', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { a: [1, 2, 3] }, 2);
  const npy = await cli(['convert', input, '--out', join(dir, 'e.npy'), '--size', '4x4']);
  assert.equal(npy.code, 2, npy.stderr);
  assert.match(npy.stderr, /ends in \.npy, but a conversion writes several arrays .* name a folder \(e\) .* or e\.npz/);
  const contra = await cli(['convert', input, '--out', join(dir, 'baz.npz'), '--size', '4x4', '--format', 'npy']);
  assert.equal(contra.code, 2, contra.stderr);
  assert.match(contra.stderr, /ends in \.npz, but format npy \(--format npy\) writes a folder/);
  const noExt = await cli(['convert', input, '--out', join(dir, 'qux'), '--size', '4x4', '--format', 'npz']);
  assert.equal(noExt.code, 2, noExt.stderr);
  assert.match(noExt.stderr, /does not end in \.npz: name it qux\.npz/);
  assert.deepEqual((await readdir(dir)).sort(), ['in']);
  const upper = await cli(['convert', input, '--out', join(dir, 'x.NPZ'), '--size', '4x4']);
  assert.equal(upper.code, 0, upper.stderr);
  assert.deepEqual((await readdir(dir)).sort(), ['in', 'x.NPZ', 'x.manifest.json']);
  assert.deepEqual(await py<number[]>('import sys, json, numpy as np; print(json.dumps(list(np.load(sys.argv[1])["x"].shape)))', [join(dir, 'x.NPZ')]), [2, 4, 4, 3]);
});

test('presets save asks for --overwrite to replace an existing preset', async (t) => {
  const env = { XDG_CONFIG_HOME: await tempDir(t) };
  assert.equal((await cli(['presets', 'save', 'mine', '--size', '32x32'], env)).code, 0);
  const again = await cli(['presets', 'save', 'mine', '--size', '64x64'], env);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /A preset named "mine" already exists .*--overwrite/);
  const file = join(env.XDG_CONFIG_HOME, 'img2npy', 'presets', 'mine.json');
  assert.match(await readFile(file, 'utf8'), /"height": 32/);
  assert.equal((await cli(['presets', 'save', 'mine', '--size', '64x64', '--overwrite'], env)).code, 0);
  assert.match(await readFile(file, 'utf8'), /"height": 64/);
});
