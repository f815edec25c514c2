/**
 * The array writers delete what they write when a job fails (ZipWriter.abort, NpyStreamWriter.abort,
 * writeNpyFile's cleanup). The rule that makes that safe: a writer only ever creates its file
 * ('wx'), so the path it deletes is one it made. Here the path already holds the user's file,
 * or a link to it: every writer refuses, names the path, and the user's bytes stay.
 */
import assert from 'node:assert/strict';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Img2npyError } from '../../src/shared/errors.js';
import { NpyStreamWriter, writeNpyFile } from '../../src/core/arrays/npy-writer.js';
import { NpzStreamWriter } from '../../src/core/arrays/npz-stream.js';
import { packNpz } from '../../src/core/arrays/npz-pack.js';
import { ZipWriter } from '../../src/core/arrays/zip-writer.js';
import { tempDir } from '../helpers/tmp.js';

const refusedNaming = (path: string) => (e: unknown) => e instanceof Img2npyError && e.code === 'write-failed' && e.file === path;

test('no array writer truncates or deletes a file or link already at its path', async (t) => {
  const dir = await tempDir(t);
  const precious = join(dir, 'thesis.txt');
  await writeFile(precious, 'three years of work\n');
  const source = join(dir, 'source.npy');
  await writeNpyFile(source, '|u1', [2], Uint8Array.of(1, 2));
  for (const kind of ['file', 'link'] as const) {
    const at = (name: string) => join(dir, `${kind}-${name}`);
    const place = async (path: string) => (kind === 'file' ? writeFile(path, 'three years of work\n') : symlink(precious, path));
    const cases: [string, (path: string) => Promise<unknown>][] = [
      ['zip.npz', (p) => ZipWriter.create(p, { compress: false })],
      ['stream.npz', (p) => NpzStreamWriter.create(p, { name: 'x.npy', descr: '|u1', rowShape: [2], compress: false })],
      ['packed.npz', (p) => packNpz([{ name: 'x.npy', file: source }], p, { compress: true })],
      ['rows.npy', (p) => NpyStreamWriter.create(p, { descr: '|u1', rowShape: [2] })],
      ['whole.npy', (p) => writeNpyFile(p, '|u1', [2], Uint8Array.of(3, 4))],
    ];
    for (const [name, make] of cases) {
      const path = at(name);
      await place(path);
      await assert.rejects(make(path), refusedNaming(path), `${kind} at ${name}`);
      assert.equal(await readFile(path, 'utf8'), 'three years of work\n', `${kind} at ${name} kept its bytes`);
    }
  }
  assert.equal(await readFile(precious, 'utf8'), 'three years of work\n');
});
