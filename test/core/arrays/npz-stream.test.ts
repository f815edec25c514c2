import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Img2npyError } from '../../../src/shared/errors.js';
import { NpzStreamWriter } from '../../../src/core/arrays/npz-stream.js';
import { crc32, crc32Combine } from '../../../src/core/arrays/npy-io.js';
import { NpyStreamWriter, writeNpyFile } from '../../../src/core/arrays/npy-writer.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const isCode = (code: string) => (e: unknown) => e instanceof Img2npyError && e.code === code;
const exists = (path: string) => access(path).then(() => true, () => false);
const rowShape = [5, 6, 3];
const rowBytes = 5 * 6 * 3;

/**
 * Streams `batches` (row counts) into an archive from ONE reused buffer, overwritten with fresh
 * bytes as soon as each write resolves (as the convert loop recycles its batch buffers), and
 * writes the same rows with NpyStreamWriter, the .npy path, for NumPy to compare against.
 */
async function stream(dir: string, compress: boolean, batches: number[]): Promise<{ archive: string; reference: string; rows: number }> {
  const archive = join(dir, `s-${compress}.npz`);
  const reference = join(dir, 'x.npy');
  const w = await NpzStreamWriter.create(archive, { name: 'x.npy', descr: '|u1', rowShape, compress });
  const ref = await NpyStreamWriter.create(reference, { descr: '|u1', rowShape });
  const buffer = new Uint8Array(Math.max(1, ...batches) * rowBytes);
  for (const n of batches) {
    buffer.set(randomBytes(n * rowBytes));
    await ref.write(buffer.subarray(0, n * rowBytes));
    await w.write(buffer.subarray(0, n * rowBytes));
  }
  buffer.fill(0xee); // would show up in x if the writer still read the buffer after resolving
  await ref.close();
  const rows = batches.reduce((a, b) => a + b, 0);
  await writeNpyFile(join(dir, 'y.npy'), '<i4', [rows], new Int32Array(rows).map((_, i) => i * 7 - 3));
  await writeNpyFile(join(dir, 'class_names.npy'), '<U1', [2], new Uint32Array([0x61, 0x1f415]));
  const done = await w.close([{ name: 'y.npy', file: join(dir, 'y.npy') }, { name: 'class_names.npy', file: join(dir, 'class_names.npy') }]);
  assert.equal(done.rows, rows);
  return { archive, reference, rows };
}

/** zipfile's view (CRCs, methods, ZIP64 extras) and whether each entry's bytes are the .npy file's. */
const check = `import sys, json, struct, zipfile, numpy as np
path, d = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
z = zipfile.ZipFile(path)
def zip64(extra):
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack('<HH', extra[i:i+4])
        if tag == 1:
            return list(struct.unpack('<' + 'Q' * (size // 8), extra[i+4:i+4+size]))
        i += 4 + size
data = np.load(path, allow_pickle=False)
out = {'bad': z.testzip(), 'files': data.files, 'shape': list(data['x'].shape), 'entries': []}
for info in z.infolist():
    o = info.header_offset
    nlen, elen = struct.unpack('<HH', raw[o+26:o+30])
    out['entries'].append({'name': info.filename, 'method': info.compress_type, 'local': zip64(raw[o+30+nlen:o+30+nlen+elen]),
        'central': zip64(info.extra), 'size': info.file_size, 'packed': info.compress_size, 'offset': o,
        'sameBytes': z.read(info.filename) == open(d + '/' + info.filename, 'rb').read()})
out['same'] = all(np.array_equal(data[k], np.load(d + '/' + k + '.npy')) for k in data.files)
print(json.dumps(out))`;

interface Checked {
  bad: string | null;
  files: string[];
  shape: number[];
  same: boolean;
  entries: { name: string; method: number; local: number[]; central: number[]; size: number; packed: number; offset: number; sameBytes: boolean }[];
}

for (const compress of [false, true]) {
  test(`${compress ? 'deflated' : 'stored'}: x streamed over uneven batches from a reused buffer is the .npy np.save would write, and NumPy loads it`, async (t) => {
    const dir = await tempDir(t);
    const { archive, rows } = await stream(dir, compress, [3, 1, 7, 4, 2]);
    const z = await py<Checked>(check, [archive, dir]);
    assert.equal(z.bad, null, 'zipfile.testzip: every CRC checks out');
    assert.deepEqual(z.files, ['x', 'y', 'class_names'], 'x first, then the staged arrays in order');
    assert.deepEqual(z.shape, [rows, ...rowShape], 'the header was rewritten with the final row count');
    assert.equal(z.same, true, 'np.load gives the arrays written to the .npy files');
    for (const e of z.entries) {
      assert.equal(e.sameBytes, true, `${e.name}: entry bytes are the .npy file's`);
      assert.equal(e.method, compress ? 8 : 0, e.name);
      assert.deepEqual(e.local, [e.size, e.packed], `${e.name}: local ZIP64 extra holds both sizes`);
      assert.deepEqual(e.central, [e.size, e.packed, e.offset], `${e.name}: central ZIP64 extra holds sizes and offset`);
    }
    if (!compress) assert.equal(z.entries[0].packed, z.entries[0].size);
  });

  test(`${compress ? 'deflated' : 'stored'}: no rows at all loads as an empty x`, async (t) => {
    const dir = await tempDir(t);
    const { archive } = await stream(dir, compress, []);
    const z = await py<Checked>(check, [archive, dir]);
    assert.equal(z.bad, null);
    assert.deepEqual(z.shape, [0, ...rowShape]);
    assert.equal(z.same, true);
  });
}

test('a compressed x larger than zlib and the writer buffer (several MiB) round-trips', async (t) => {
  const dir = await tempDir(t);
  // Random rows do not compress: the output crosses the 1 MiB flush size several times.
  const { archive, rows } = await stream(dir, true, [9000, 9000, 9000, 9000, 11]);
  const z = await py<Checked>(check, [archive, dir]);
  assert.equal(z.bad, null);
  assert.deepEqual(z.shape, [rows, ...rowShape]);
  assert.equal(z.entries[0].sameBytes, true);
});

test('abort mid-stream removes the archive; misuse is internal, not a broken file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a.npz');
  const w = await NpzStreamWriter.create(path, { name: 'x.npy', descr: '<f4', rowShape: [2], compress: true });
  await w.write(new Float32Array([1, 2, 3, 4]));
  assert.equal(await exists(path), true, 'the archive grows while rows stream in');
  await assert.rejects(w.write(new Uint8Array(3)), isCode('internal'), 'not a whole row');
  await w.abort();
  await w.abort();
  assert.deepEqual(await readdir(dir), []);
  await assert.rejects(w.write(new Float32Array(2)), isCode('internal'), 'write after abort');
  const bad = join(dir, 'b.npz');
  await assert.rejects(NpzStreamWriter.create(bad, { name: 'x', descr: '|u1', rowShape: [1], compress: false }), isCode('internal'));
  assert.equal(await exists(bad), false);
  await assert.rejects(NpzStreamWriter.create(join(dir, 'no', 'c.npz'), { name: 'x.npy', descr: '|u1', rowShape: [1], compress: false }), isCode('write-failed'));
});

test('a staged array that cannot be read fails the close as write-failed naming both, and leaves no archive', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a.npz');
  const w = await NpzStreamWriter.create(path, { name: 'x.npy', descr: '|u1', rowShape: [4], compress: false });
  await w.write(new Uint8Array(8));
  await writeFile(join(dir, 'keep.txt'), 'not ours to delete');
  await assert.rejects(w.close([{ name: 'y.npy', file: join(dir, 'gone.npy') }]), (e: unknown) => {
    assert.ok(isCode('write-failed')(e));
    assert.equal((e as Img2npyError).file, path);
    assert.match((e as Error).message, /gone\.npy/);
    return true;
  });
  assert.deepEqual(await readdir(dir), ['keep.txt']);
});

test('crc32Combine gives the CRC of the concatenation', () => {
  for (const [a, b] of [[0, 0], [1, 0], [0, 5], [128, 1], [128, 3 * 150_528 + 17], [7, 1 << 20]]) {
    const x = randomBytes(a);
    const y = randomBytes(b);
    assert.equal(crc32Combine(crc32(x), crc32(y), b), crc32(Buffer.concat([x, y])), `${a} + ${b} bytes`);
  }
});
