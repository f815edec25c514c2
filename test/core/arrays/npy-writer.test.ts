import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../../src/shared/errors.js';
import { buildNpyHeader, npyDescr } from '../../../src/core/arrays/npy-header.js';
import { NpyStreamWriter, encodeUnicodeRows, unicodeWidth, writeNpyFile } from '../../../src/core/arrays/npy-writer.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const isCode = (code: string) => (e: unknown) => e instanceof Img2npyError && e.code === code;
const exists = (path: string) => access(path).then(() => true, () => false);

/** A deterministic float32 sequence with fractions, negatives and large values. */
function values(count: number, from: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sin(from + i) * 1000 + (from + i) / 7;
  return out;
}

test('streams many uneven chunks, patches N in place, and NumPy memory-maps the exact values', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x.npy');
  const rowShape = [4, 5, 3];
  const rowValues = 4 * 5 * 3;
  const w = await NpyStreamWriter.create(path, { descr: npyDescr('float32'), rowShape });
  const provisional = buildNpyHeader('<f4', [0, ...rowShape]);
  assert.deepEqual((await readFile(path)).subarray(0, provisional.length), provisional, 'header for N = 0 written at create');
  let rows = 0;
  for (let chunk = 0; chunk < 300; chunk++) {
    const n = chunk % 7; // includes empty chunks
    const v = values(n * rowValues, rows * rowValues);
    await w.write(new Uint8Array(v.buffer));
    rows += n;
  }
  const result = await w.close();
  assert.equal(result.rows, rows);
  assert.equal(result.bytes, provisional.length + rows * rowValues * 4);
  const all = values(rows * rowValues, 0);
  const numpy = await py<{ shape: number[]; dtype: string; same: boolean; resave: boolean }>(
    `import sys, json, io, numpy as np
a = np.load(sys.argv[1], mmap_mode='r')
expected = np.fromfile(sys.argv[2], dtype='<f4').reshape(a.shape)
buf = io.BytesIO(); np.save(buf, np.array(a))
print(json.dumps({'shape': a.shape, 'dtype': a.dtype.str, 'same': bool(np.array_equal(a, expected)),
  'resave': buf.getvalue() == open(sys.argv[1], 'rb').read()}))`,
    [path, await rawFile(dir, all)],
  );
  assert.deepEqual(numpy, { shape: [rows, ...rowShape], dtype: '<f4', same: true, resave: true });
});

async function rawFile(dir: string, data: Float32Array): Promise<string> {
  const file = join(dir, 'expected.f32');
  await writeFile(file, new Uint8Array(data.buffer));
  return file;
}

test('uint8 and float16 streams, an empty stream, and unawaited writes all land where NumPy expects', async (t) => {
  const dir = await tempDir(t);
  const u8 = await NpyStreamWriter.create(join(dir, 'u8.npy'), { descr: '|u1', rowShape: [2, 2] });
  // Fired without awaiting: each write takes its file position when called, so order is kept.
  const pending = [0, 1, 2, 3].map((i) => u8.write(new Uint8Array([i * 4, i * 4 + 1, i * 4 + 2, i * 4 + 3])));
  await Promise.all(pending);
  assert.deepEqual(await u8.close(), { rows: 4, bytes: 128 + 16 });
  const f16 = await NpyStreamWriter.create(join(dir, 'f16.npy'), { descr: '<f2', rowShape: [] });
  await f16.write(new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]));
  await f16.close();
  const empty = await NpyStreamWriter.create(join(dir, 'empty.npy'), { descr: '<i4', rowShape: [3] });
  assert.deepEqual(await empty.close(), { rows: 0, bytes: 128 });
  const numpy = await py<unknown>(
    `import sys, json, numpy as np
d = sys.argv[1]
u8, f16, e = (np.load(f'{d}/{n}.npy') for n in ['u8', 'f16', 'empty'])
halves = [float(v) if np.isfinite(v) else str(v) for v in f16]
print(json.dumps([u8.tolist(), f16.dtype.str, halves, e.shape, e.dtype.str]))`,
    [dir],
  );
  const grid = (i: number) => [[i * 4, i * 4 + 1], [i * 4 + 2, i * 4 + 3]];
  assert.deepEqual(numpy, [[0, 1, 2, 3].map(grid), '<f2', [1, -2, 'inf', 2 ** -24], [0, 3], '<i4']);
});

test('unicode rows with non-ASCII and astral characters round-trip through NumPy, byte-identical to np.save', async (t) => {
  const dir = await tempDir(t);
  const strings = ['', 'cat', 'héllo wörld', '日本語', '🐕‍🦺 dog', '𝄞', 'a\u0301'];
  const width = unicodeWidth(strings);
  assert.equal(width, 11);
  assert.equal(unicodeWidth(['🐕']), 1, 'an astral character is one code point');
  assert.equal(unicodeWidth([]), 1);
  assert.equal(unicodeWidth(['']), 1);
  const path = join(dir, 'names.npy');
  const bytes = await writeNpyFile(path, npyDescr({ unicode: width }), [strings.length], encodeUnicodeRows(strings, width));
  const numpy = await py<{ values: string[]; dtype: string; same: boolean }>(
    `import sys, json, io, numpy as np
a = np.load(sys.argv[1])
buf = io.BytesIO(); np.save(buf, np.array(json.loads(sys.argv[2])))
print(json.dumps({'values': a.tolist(), 'dtype': a.dtype.str, 'same': buf.getvalue() == open(sys.argv[1], 'rb').read()}))`,
    [path, JSON.stringify(strings)],
  );
  assert.deepEqual(numpy, { values: strings, dtype: `<U${width}`, same: true });
  assert.equal(bytes, 128 + strings.length * width * 4);
  // Streamed, too: the paths array is written this way.
  const streamed = join(dir, 'paths.npy');
  const w = await NpyStreamWriter.create(streamed, { descr: npyDescr({ unicode: width }), rowShape: [] });
  await w.write(encodeUnicodeRows(strings.slice(0, 3), width));
  await w.write(encodeUnicodeRows(strings.slice(3), width));
  await w.close();
  assert.deepEqual(await readFile(streamed), await readFile(path));
});

test('rejects chunks that are not whole rows, and strings wider than the array', async (t) => {
  const dir = await tempDir(t);
  const w = await NpyStreamWriter.create(join(dir, 'x.npy'), { descr: '<f4', rowShape: [3] });
  await assert.rejects(w.write(new Uint8Array(13)), (e: unknown) => isCode('internal')(e) && /multiple of 12 bytes/.test((e as Error).message));
  await w.write(new Float32Array([1, 2, 3]));
  assert.deepEqual(await w.close(), { rows: 1, bytes: 140 });
  await assert.rejects(w.write(new Float32Array(3)), /already closed/);
  await assert.rejects(w.close(), /already closed/);
  await assert.rejects(NpyStreamWriter.create(join(dir, 'y.npy'), { descr: '<f4', rowShape: [0] }), /at least one byte/);
  assert.throws(() => encodeUnicodeRows(['toolong'], 3), /at most 3 code points/);
  await assert.rejects(writeNpyFile(join(dir, 'z.npy'), '<i4', [3], new Int32Array(2)), /Expected 12 bytes/);
});

test('abort removes the file, twice is harmless, and later writes refuse', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x.npy');
  const w = await NpyStreamWriter.create(path, { descr: '|u1', rowShape: [8] });
  await w.write(new Uint8Array(64));
  assert.equal(await exists(path), true);
  await w.abort();
  assert.equal(await exists(path), false);
  await w.abort();
  await assert.rejects(w.write(new Uint8Array(8)), isCode('internal'));
  // A finished file is discarded too when the job gives it up.
  const done = await NpyStreamWriter.create(path, { descr: '|u1', rowShape: [] });
  await done.close();
  await done.abort();
  assert.equal(await exists(path), false);
});

test('a missing folder is a write-failed error naming the path', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'no', 'such', 'x.npy');
  const check = (e: unknown) => {
    assert.ok(isCode('write-failed')(e));
    assert.equal((e as Img2npyError).file, path);
    assert.ok((e as Error).message.includes(path));
    return true;
  };
  await assert.rejects(NpyStreamWriter.create(path, { descr: '|u1', rowShape: [1] }), check);
  await assert.rejects(writeNpyFile(path, '|u1', [1], new Uint8Array(1)), check);
});
