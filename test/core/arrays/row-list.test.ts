/**
 * Rows written as the decoder threads send them (a RowList: one buffer and one CRC-32 per row)
 * make the same files as the same rows gathered into one buffer, and the archive's CRC is the
 * one combined from the rows' own: the writer never reads the bytes again (a wrong row CRC
 * shows up as a bad archive, which is how this test knows).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RowList, crc32, crc32Combine } from '../../../src/core/arrays/npy-io.js';
import { NpyStreamWriter } from '../../../src/core/arrays/npy-writer.js';
import { NpzStreamWriter } from '../../../src/core/arrays/npz-stream.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const rowShape = [5, 4, 3];
const rowBytes = 60;
const rows = Array.from({ length: 7 }, (_, r) => Uint8Array.from({ length: rowBytes }, (_, i) => (r * 31 + i * 7) % 256));
const listOf = (from: number, to: number, crc = crc32): RowList => ({ rows: rows.slice(from, to), crcs: rows.slice(from, to).map((r) => crc(r)) });
const gathered = (from: number, to: number): Uint8Array => Buffer.concat(rows.slice(from, to));

const check = `
import sys, json, zipfile, numpy as np
out = {}
for f in sys.argv[1:]:
    bad = zipfile.ZipFile(f).testzip() if f.endswith('.npz') else None
    x = np.load(f, allow_pickle=False)
    x = x['x'] if f.endswith('.npz') else x
    out[f] = {'bad': bad, 'shape': list(x.shape), 'sum': int(x.astype(np.int64).sum())}
print(json.dumps(out))`;

test('an .npz and an .npy written from row lists equal the ones written from one buffer, stored and compressed', async (t) => {
  const dir = await tempDir(t);
  const files: string[] = [];
  for (const compress of [false, true]) {
    for (const listed of [false, true]) {
      const path = join(dir, `${compress ? 'c' : 's'}-${listed ? 'list' : 'buffer'}.npz`);
      const w = await NpzStreamWriter.create(path, { name: 'x.npy', descr: '|u1', rowShape, compress });
      // Two writes, one of three rows and one of four: the CRC carries across calls.
      await w.write(listed ? listOf(0, 3) : gathered(0, 3));
      await w.write(listed ? listOf(3, 7) : gathered(3, 7));
      assert.deepEqual(await w.close([]), { rows: 7, bytes: (await readFile(path)).length });
      files.push(path);
    }
  }
  for (const listed of [false, true]) {
    const path = join(dir, `${listed ? 'list' : 'buffer'}.npy`);
    const w = await NpyStreamWriter.create(path, { descr: '|u1', rowShape });
    await w.write(listed ? listOf(0, 7) : gathered(0, 7));
    await w.close();
    files.push(path);
  }
  const byName = (name: string) => readFile(join(dir, name));
  // Same bytes, not just the same arrays (the archive's dates are the writer's, fixed per run).
  assert.deepEqual(await byName('list.npy'), await byName('buffer.npy'));
  const seen = await py<Record<string, { bad: string | null; shape: number[]; sum: number }>>(check, files);
  const total = rows.reduce((n, r) => n + r.reduce((a, b) => a + b, 0), 0);
  for (const f of files) assert.deepEqual(seen[f], { bad: null, shape: [7, ...rowShape], sum: total }, f);
});

test("the archive's CRC is combined from the rows' own: a wrong one makes zipfile refuse the entry", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'wrong.npz');
  const w = await NpzStreamWriter.create(path, { name: 'x.npy', descr: '|u1', rowShape, compress: false });
  await w.write(listOf(0, 7, (r) => (r === rows[4] ? crc32(r) ^ 1 : crc32(r))));
  await w.close([]);
  const seen = await py<Record<string, { bad: string | null }>>(`
import sys, json, zipfile
print(json.dumps({sys.argv[1]: {'bad': zipfile.ZipFile(sys.argv[1]).testzip()}}))`, [path]);
  assert.equal(seen[path].bad, 'x.npy');
});

test('a part that is not whole rows is refused before anything is written', async (t) => {
  const dir = await tempDir(t);
  const w = await NpyStreamWriter.create(join(dir, 'x.npy'), { descr: '|u1', rowShape });
  await assert.rejects(w.write({ rows: [rows[0], rows[1].subarray(1)], crcs: [0, 0] }), /whole rows/);
  assert.equal(w.rowCount, 0);
  await w.abort();
});

test('crc32Combine stays right when the lengths it is asked for change between calls (its shift is cached)', () => {
  const a = rows[0];
  for (const b of [rows[1], rows[2].subarray(0, 17), rows[3], rows[4].subarray(0, 17), new Uint8Array(0)]) {
    assert.equal(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
  }
});
