import assert from 'node:assert/strict';
import { chmod, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanFolder } from '../../../src/core/scan/scan.js';
import type { ScanOptions } from '../../../src/core/types.js';
import { defaultExtensions, kerasExtensions } from '../../../src/shared/options.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeTree } from '../../helpers/tree.js';


const opts = (over: Partial<ScanOptions> = {}): ScanOptions => ({
  extensions: [...defaultExtensions],
  followLinks: false,
  order: 'default',
  labels: 'inferred',
  classNames: null,
  ...over,
});

const rels = (r: { files: { rel: string }[] }) => r.files.map((f) => f.rel);
const whyOf = (r: { ignored: { file: string; reason: string }[] }, file: string) => r.ignored.find((i) => i.file === file)?.reason;

test('classes are sorted by code point (Python sorted), files by relative path, labels index the classes', async (t) => {
  const root = await tempDir(t);
  const names = ['b', 'B', 'a', 'Z', 'é', '10', '2', 'x y', '！', '😀'];
  await makeTree(root, names.map((n) => `${n}/img.jpg`));
  const ref = await py<string[]>(`import sys, json\nprint(json.dumps(sorted(json.loads(sys.argv[1]))))`, [JSON.stringify(names)]);
  const scan = await scanFolder(root, opts());
  assert.deepEqual(scan.classNames, ref);
  // Plain JS sort would put the emoji (a surrogate pair) before the fullwidth '！' (U+FF01).
  assert.notDeepEqual([...names].sort(), ref);
  assert.deepEqual(scan.files.map((f) => f.label), ref.map((_, i) => i));
  assert.deepEqual(rels(scan), ref.map((n) => `${n}/img.jpg`));
  assert.equal(scan.files[0].abs, join(root, `${ref[0]}/img.jpg`));
  assert.equal(scan.root, root);
});

test('counts, formats (case-insensitive extensions), empty classes, unsupported files', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['cat/1.JPG', 'cat/2.jpeg', 'cat/deep/er/3.Png', 'cat/notes.txt', 'cat/archive.tar', 'dog/4.webp', 'empty/', 'fish/sub/']);
  const scan = await scanFolder(root, opts());
  assert.deepEqual(scan.classNames, ['cat', 'dog', 'empty', 'fish']);
  assert.deepEqual(scan.countsPerClass, { cat: 3, dog: 1, empty: 0, fish: 0 });
  assert.deepEqual(scan.emptyClasses, ['empty', 'fish']);
  assert.deepEqual(scan.formats, { jpg: 1, jpeg: 1, png: 1, webp: 1 });
  assert.deepEqual(rels(scan), ['cat/1.JPG', 'cat/2.jpeg', 'cat/deep/er/3.Png', 'dog/4.webp']);
  assert.match(whyOf(scan, 'cat/notes.txt') ?? '', /unsupported extension/);
  assert.equal(scan.ignored.find((i) => i.file === 'cat/archive.tar')?.code, 'unreadable-image');
  assert.ok(scan.warnings.some((w) => w.includes('empty') && w.includes('fish')));
});

test('files directly in the root belong to no class: ignored and named in a warning', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['cls/a.png', 'stray.jpg', 'README.md', '.DS_Store']);
  const scan = await scanFolder(root, opts());
  assert.deepEqual(rels(scan), ['cls/a.png']);
  assert.equal(scan.ignored.find((i) => i.file === 'stray.jpg')?.code, 'no-classes');
  assert.ok(whyOf(scan, 'README.md'));
  assert.equal(whyOf(scan, '.DS_Store'), undefined, 'hidden root files are not reported');
  assert.ok(scan.warnings.some((w) => w.includes('stray.jpg') && !w.includes('README')));
});

test('hidden names: default skips them everywhere; keras keeps them inside classes, never as classes', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['cls/a.jpg', 'cls/.hidden.jpg', 'cls/.sub/b.jpg', 'cls/.jpg', '.cache/c.jpg']);
  const def = await scanFolder(root, opts());
  assert.deepEqual(def.classNames, ['cls']);
  assert.deepEqual(rels(def), ['cls/a.jpg']);
  const keras = await scanFolder(root, opts({ order: 'keras', extensions: [...kerasExtensions] }));
  assert.deepEqual(keras.classNames, ['cls']);
  assert.deepEqual(rels(keras), ['cls/.hidden.jpg', 'cls/.jpg', 'cls/a.jpg', 'cls/.sub/b.jpg']);
});

test('symbolic links: linked files taken, linked folders only with followLinks, loops cut, broken links ignored', async (t) => {
  const root = await tempDir(t);
  const outside = await tempDir(t);
  await makeTree(outside, ['o.jpg']);
  await makeTree(root, ['cls/a.jpg', 'cls/sub/b.jpg']);
  await symlink(join(root, 'cls/a.jpg'), join(root, 'cls/alias.jpg'));
  await symlink(outside, join(root, 'cls/ext'));
  await symlink('..', join(root, 'cls/sub/loop'));
  await symlink(join(root, 'nowhere.jpg'), join(root, 'cls/broken.jpg'));

  const plain = await scanFolder(root, opts());
  assert.deepEqual(rels(plain), ['cls/a.jpg', 'cls/alias.jpg', 'cls/sub/b.jpg']);
  assert.match(whyOf(plain, 'cls/ext/') ?? '', /followLinks/);
  assert.match(whyOf(plain, 'cls/sub/loop/') ?? '', /followLinks/);
  assert.equal(plain.ignored.find((i) => i.file === 'cls/broken.jpg')?.code, 'input-not-found');

  const followed = await scanFolder(root, opts({ followLinks: true }));
  assert.deepEqual(rels(followed), ['cls/a.jpg', 'cls/alias.jpg', 'cls/ext/o.jpg', 'cls/sub/b.jpg']);
  assert.match(whyOf(followed, 'cls/sub/loop/') ?? '', /loop/);

  // A link to the root is entered, and the loop is cut where it reaches the class again.
  await symlink(root, join(root, 'cls/sub/root-again'));
  for (const order of ['default', 'keras'] as const) {
    const r = await scanFolder(root, opts({ followLinks: true, order }));
    assert.equal(new Set(rels(r)).size, rels(r).length);
    assert.match(whyOf(r, 'cls/sub/root-again/cls/') ?? '', /loop/);
  }
});

test('a link to a folder at class level is a class only with followLinks, and is listed when left out', async (t) => {
  const root = await tempDir(t);
  const outside = await tempDir(t);
  await makeTree(outside, ['x.jpg']);
  await makeTree(root, ['real/y.jpg']);
  await symlink(outside, join(root, 'linked'));
  await symlink(join(root, 'gone'), join(root, 'dangling'));
  const plain = await scanFolder(root, opts());
  assert.deepEqual(plain.classNames, ['real']);
  assert.match(whyOf(plain, 'linked/') ?? '', /link to a folder, not followed .*followLinks/);
  const scan = await scanFolder(root, opts({ followLinks: true }));
  assert.deepEqual(scan.classNames, ['linked', 'real']);
  assert.deepEqual(rels(scan), ['linked/x.jpg', 'real/y.jpg']);
  assert.equal(scan.ignored.find((i) => i.file === 'dangling')?.code, 'input-not-found');
});

test('an unreadable sub-folder is reported, not fatal; an unreadable root is input-unreadable', async (t) => {
  const root = await tempDir(t);
  const locked = join(root, 'cls/locked');
  await makeTree(root, ['cls/a.jpg', 'cls/locked/b.jpg']);
  // Permissions are restored before the test ends so the temp folder can be removed.
  await chmod(locked, 0o000);
  try {
    const enforced = await readdir(locked).then(() => false, () => true);
    if (!enforced) {
      t.skip('permissions are not enforced for this user (running as root): chmod 000 cannot make a folder unreadable');
      return;
    }
    const scan = await scanFolder(root, opts());
    assert.deepEqual(rels(scan), ['cls/a.jpg']);
    assert.equal(scan.ignored.find((i) => i.file === 'cls/locked/')?.code, 'input-unreadable');
    assert.ok(scan.warnings.some((w) => w.includes('cls/locked')));
    await chmod(root, 0o000);
    try {
      await assert.rejects(scanFolder(root, opts()), { code: 'input-unreadable', file: root });
    } finally {
      await chmod(root, 0o755);
    }
  } finally {
    await chmod(locked, 0o755);
  }
});

test('missing root, a file as root, no classes, no images', async (t) => {
  const root = await tempDir(t);
  await assert.rejects(scanFolder(join(root, 'nope'), opts()), (e: Error & { code?: string; file?: string }) => {
    assert.equal(e.code, 'input-not-found');
    assert.equal(e.file, join(root, 'nope'));
    assert.ok(e.message.includes(join(root, 'nope')));
    return true;
  });
  await makeTree(root, ['file.jpg']);
  await assert.rejects(scanFolder(join(root, 'file.jpg'), opts()), { code: 'input-not-found', message: /not a folder/ });
  await assert.rejects(scanFolder(root, opts()), { code: 'no-classes', message: /labels none/ });
  await makeTree(root, ['cls/readme.txt', 'cls/.hidden.jpg']);
  await assert.rejects(scanFolder(root, opts()), { code: 'no-images', file: root });
});

test('classNames: explicit order; unknown names are invalid-option; omitted classes are left out (Keras 3)', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['a/1.jpg', 'b/2.jpg', 'c/3.jpg']);
  const ordered = await scanFolder(root, opts({ classNames: ['c', 'a', 'b'] }));
  assert.deepEqual(ordered.classNames, ['c', 'a', 'b']);
  assert.deepEqual(ordered.files.map((f) => [f.rel, f.label]), [['c/3.jpg', 0], ['a/1.jpg', 1], ['b/2.jpg', 2]]);
  await assert.rejects(scanFolder(root, opts({ classNames: ['a', 'x', 'b'] })), (e: Error & { code?: string; option?: string }) => {
    assert.equal(e.code, 'invalid-option');
    assert.equal(e.option, 'classNames');
    assert.match(e.message, /x is not among them; found: a, b, c/);
    return true;
  });
  const subset = await scanFolder(root, opts({ classNames: ['b', 'a'] }));
  assert.deepEqual(rels(subset), ['b/2.jpg', 'a/1.jpg']);
  assert.ok(subset.warnings.some((w) => /left out: c/.test(w)));
  await assert.rejects(scanFolder(root, opts({ classNames: ['a', 'a'] })), { code: 'invalid-option', option: 'classNames' });
  await assert.rejects(scanFolder(root, opts({ labels: 'none', classNames: ['a'] })), { code: 'invalid-option', option: 'classNames' });
  await assert.rejects(scanFolder(root, opts({ extensions: [] })), { code: 'invalid-option', option: 'extensions' });
  await assert.rejects(scanFolder(root, opts({ extensions: ['jpg'] })), { code: 'invalid-option', option: 'extensions' });
});

test("labels none: every image under the root, root-level files included, no classes", async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['top.png', 'a/1.jpg', 'a/sub/2.jpg', 'b/3.jpg', '.h/4.jpg']);
  const def = await scanFolder(root, opts({ labels: 'none' }));
  assert.deepEqual(def.classNames, []);
  assert.deepEqual(def.countsPerClass, {});
  assert.deepEqual(rels(def), ['a/1.jpg', 'a/sub/2.jpg', 'b/3.jpg', 'top.png']);
  assert.ok(def.files.every((f) => f.label === null));
  const keras = await scanFolder(root, opts({ labels: 'none', order: 'keras', extensions: [...kerasExtensions] }));
  assert.deepEqual(rels(keras), ['top.png', '.h/4.jpg', 'a/1.jpg', 'a/sub/2.jpg', 'b/3.jpg']);
});

test('labels from a CSV: listed files get their class, others are ignored, missing rows warned', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, ['x/1.jpg', 'x/2.jpg', 'y/3.jpg', 'loose.png', 'x/unlisted.jpg']);
  const csv = join(root, 'labels.csv');
  await writeFile(csv, 'path,label\nx/1.jpg,dog\nx/2.jpg,cat\ny/3.jpg,dog\nloose.png,bird\ngone.jpg,cat\n');
  const scan = await scanFolder(root, opts({ labels: csv }));
  assert.deepEqual(scan.classNames, ['bird', 'cat', 'dog']);
  assert.deepEqual(scan.files.map((f) => [f.rel, f.label]), [['loose.png', 0], ['x/1.jpg', 2], ['x/2.jpg', 1], ['y/3.jpg', 2]]);
  assert.deepEqual(scan.countsPerClass, { bird: 1, cat: 1, dog: 2 });
  assert.equal(scan.ignored.find((i) => i.file === 'x/unlisted.jpg')?.code, 'labels-invalid');
  assert.equal(whyOf(scan, 'labels.csv'), undefined, 'the CSV itself is not reported');
  assert.ok(scan.warnings.some((w) => w.includes('line 6: gone.jpg')));

  const picked = await scanFolder(root, opts({ labels: csv, classNames: ['dog', 'cat'] }));
  assert.deepEqual(picked.files.map((f) => [f.rel, f.label]), [['x/1.jpg', 0], ['x/2.jpg', 1], ['y/3.jpg', 0]]);
  assert.equal(picked.ignored.find((i) => i.file === 'loose.png')?.code, 'invalid-option');
  await assert.rejects(scanFolder(root, opts({ labels: csv, classNames: ['dog', 'cow'] })), { code: 'invalid-option', option: 'classNames' });

  await writeFile(csv, 'elsewhere/1.jpg,dog\n');
  await assert.rejects(scanFolder(root, opts({ labels: csv })), { code: 'labels-invalid', file: csv, message: /None of the 1 paths/ });
  await writeFile(csv, 'x/1.jpg,dog\nx/2.jpg\n');
  await assert.rejects(scanFolder(root, opts({ labels: csv })), { code: 'labels-invalid', file: csv, message: /line 2/ });
});

test('cancellation: an aborted signal stops the scan between directory reads', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, Array.from({ length: 60 }, (_, i) => `c${i}/s/img.jpg`));
  await assert.rejects(scanFolder(root, opts(), AbortSignal.abort()), { code: 'cancelled' });
  const ac = new AbortController();
  const running = scanFolder(root, opts(), ac.signal);
  ac.abort();
  await assert.rejects(running, { code: 'cancelled' });
});
