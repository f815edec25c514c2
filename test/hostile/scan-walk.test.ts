/**
 * Hostile input trees: links leading out of the input, a linked class folder, file names that
 * are not valid UTF-8. NumPy reads what was written.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

interface Report {
  classNames: string[];
  skipped: { file: string; reason: string }[];
}

const readNpz = `import sys, json, numpy as np
d = np.load(sys.argv[1])
print(json.dumps({'class_names': d['class_names'].tolist(), 'paths': d['paths'].tolist()}))`;

function reportOf(stdout: string): Report {
  return JSON.parse(stdout.trim().split('\n').pop()!) as Report;
}

test('without --follow-links a file link leading outside the input and a linked class folder are left out and listed', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  const elsewhere = join(dir, 'elsewhere');
  await makeSolidFolder(input, { cat: [1, 2, 3], dog: [9, 9, 9] }, 2);
  await makeSolidFolder(elsewhere, { secret: [5, 5, 5] }, 1);
  await symlink(join(elsewhere, 'secret', 'img-000.png'), join(input, 'cat', 'outside.png'));
  await symlink(join(input, 'dog', 'img-000.png'), join(input, 'cat', 'inside.png'));
  await symlink(join(elsewhere, 'secret'), join(input, 'linked'));
  const out = join(dir, 'o.npz');
  const r = await cli(['convert', input, '--out', out, '--size', '4x4', '--json']);
  assert.equal(r.code, 0, r.stdout);
  const report = reportOf(r.stdout);
  assert.match(report.skipped.find((s) => s.file === 'cat/outside.png')?.reason ?? '', /outside the input/);
  assert.match(report.skipped.find((s) => s.file === 'linked/')?.reason ?? '', /link to a folder, not followed/);
  const d = await py<{ class_names: string[]; paths: string[] }>(readNpz, [out]);
  assert.deepEqual(d.class_names, ['cat', 'dog']);
  // A link inside the input is a file os.walk lists: taken, as Keras would.
  assert.deepEqual(d.paths, ['cat/img-000.png', 'cat/img-001.png', 'cat/inside.png', 'dog/img-000.png', 'dog/img-001.png']);

  const followed = await cli(['convert', input, '--out', join(dir, 'f.npz'), '--size', '4x4', '--follow-links']);
  assert.equal(followed.code, 0, followed.stderr);
  const f = await py<{ class_names: string[]; paths: string[] }>(readNpz, [join(dir, 'f.npz')]);
  assert.deepEqual(f.class_names, ['cat', 'dog', 'linked']);
  assert.ok(f.paths.includes('cat/outside.png'));
});

test('names that are not valid UTF-8 are reported as unreadable names; class_names never holds duplicates', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { good: [1, 2, 3] }, 2);
  const png = join(input, 'good', 'img-000.png');
  // Two class folders and two files whose names differ only in invalid bytes: both decode to "b\uFFFD".
  for (const bytes of [[0x62, 0xff], [0x62, 0xfe]]) {
    const folder = Buffer.concat([Buffer.from(input + '/'), Buffer.from(bytes)]);
    await mkdir(folder);
    await copyFile(png, Buffer.concat([folder, Buffer.from('/x.png')]));
    await copyFile(png, Buffer.concat([Buffer.from(join(input, 'good') + '/'), Buffer.from(bytes), Buffer.from('.png')]));
  }
  const out = join(dir, 'o.npz');
  const r = await cli(['convert', input, '--out', out, '--size', '4x4', '--json']);
  assert.equal(r.code, 0, r.stdout);
  const report = reportOf(r.stdout);
  const unreadable = report.skipped.filter((s) => /not valid UTF-8/.test(s.reason));
  assert.equal(unreadable.length, 4, JSON.stringify(report.skipped));
  const d = await py<{ class_names: string[]; paths: string[] }>(readNpz, [out]);
  assert.deepEqual(d.class_names, ['good']);
  assert.deepEqual(d.paths, ['good/img-000.png', 'good/img-001.png']);
});
