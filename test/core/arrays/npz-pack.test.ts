import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { Img2npyError } from '../../../src/shared/errors.js';
import { packNpz } from '../../../src/core/arrays/npz-pack.js';
import { tableCrc32 } from '../../../src/core/arrays/npy-io.js';
import { writeNpyFile } from '../../../src/core/arrays/npy-writer.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const isCode = (code: string) => (e: unknown) => e instanceof Img2npyError && e.code === code;
const exists = (path: string) => access(path).then(() => true, () => false);

/** NumPy writes the source arrays, so the archive is checked against arrays NumPy made itself. */
async function sources(dir: string): Promise<{ name: string; file: string }[]> {
  await py(
    `import sys, json, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
np.save(d + '/x.npy', rng.integers(0, 256, (50, 8, 8, 3), dtype=np.uint8))
np.save(d + '/y.npy', rng.integers(-5, 5, 50).astype(np.int32))
np.save(d + '/f.npy', rng.standard_normal((50, 4)).astype(np.float16))
np.save(d + '/class_names.npy', np.array(['cat', 'dög', '🐕']))
np.save(d + '/empty.npy', np.zeros((0, 3), np.float32))
print(json.dumps(True))`,
    [dir],
  );
  return ['x', 'y', 'f', 'class_names', 'empty'].map((n) => ({ name: `${n}.npy`, file: join(dir, `${n}.npy`) }));
}

/** What Python's zipfile and np.load see: per entry, the ZIP64 extra in the raw local header and in the central header. */
const inspect = `import sys, json, struct, zipfile, numpy as np
path, src = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
z = zipfile.ZipFile(path)
out = {'bad': z.testzip(), 'entries': []}
def zip64(extra):
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack('<HH', extra[i:i+4])
        if tag == 1:
            return list(struct.unpack('<' + 'Q' * (size // 8), extra[i+4:i+4+size]))
        i += 4 + size
    return None
data = np.load(path, allow_pickle=False)
for info in z.infolist():
    o = info.header_offset
    nlen, elen = struct.unpack('<HH', raw[o+26:o+30])
    local = raw[o+30+nlen:o+30+nlen+elen]
    key = info.filename[:-4]
    same = bool(np.array_equal(data[key], np.load(f'{src}/{info.filename}')) and data[key].dtype == np.load(f'{src}/{info.filename}').dtype)
    out['entries'].append({'name': info.filename, 'method': info.compress_type, 'size': info.file_size,
        'packed': info.compress_size, 'offset': o, 'local': zip64(local), 'central': zip64(info.extra), 'same': same})
out['keys'] = sorted(data.files)
print(json.dumps(out))`;

interface Inspected {
  bad: string | null;
  keys: string[];
  entries: { name: string; method: number; size: number; packed: number; offset: number; local: number[] | null; central: number[] | null; same: boolean }[];
}

for (const compress of [false, true]) {
  test(`${compress ? 'deflated' : 'stored'} npz: ZIP64 extra in every local and central header, np.load gives the exact arrays`, async (t) => {
    const dir = await tempDir(t);
    const entries = await sources(dir);
    const dest = join(dir, 'out.npz');
    const { bytes } = await packNpz(entries, dest, { compress });
    assert.equal(bytes, (await stat(dest)).size);
    const z = await py<Inspected>(inspect, [dest, dir]);
    assert.equal(z.bad, null, 'every CRC checks out');
    assert.deepEqual(z.keys, ['class_names', 'empty', 'f', 'x', 'y']);
    assert.deepEqual(z.entries.map((e) => e.name), entries.map((e) => e.name), 'entries in the order given');
    for (const e of z.entries) {
      const source = (await stat(join(dir, e.name))).size;
      assert.equal(e.method, compress ? 8 : 0, e.name);
      assert.equal(e.size, source, e.name);
      if (!compress) assert.equal(e.packed, source, e.name);
      assert.deepEqual(e.local, [e.size, e.packed], `${e.name}: local ZIP64 extra holds both sizes`);
      assert.deepEqual(e.central, [e.size, e.packed, e.offset], `${e.name}: central ZIP64 extra holds sizes and offset`);
      assert.equal(e.same, true, `${e.name}: np.load gives the source array`);
    }
    if (compress) assert.ok(z.entries[0].packed < z.entries[0].size, 'x really is deflated');
  });
}

test('an empty archive and a class_names array written by writeNpyFile load in NumPy', async (t) => {
  const dir = await tempDir(t);
  const empty = join(dir, 'empty.npz');
  await packNpz([], empty, { compress: false });
  const names = join(dir, 'names.npy');
  await writeNpyFile(names, '<U1', [2], new Uint32Array([0x1f415, 0x61]));
  const one = join(dir, 'one.npz');
  await packNpz([{ name: 'class_names.npy', file: names }], one, { compress: true });
  const numpy = await py<unknown>(
    `import sys, json, numpy as np
print(json.dumps([np.load(sys.argv[1]).files, np.load(sys.argv[2])['class_names'].tolist()]))`,
    [empty, one],
  );
  assert.deepEqual(numpy, [[], ['🐕', 'a']]);
});

test('abort mid-way and a pre-aborted signal leave no file and throw cancelled', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big.npy');
  await writeNpyFile(big, '|u1', [48 << 20], randomBytes(48 << 20));
  const dest = join(dir, 'out.npz');
  const controller = new AbortController();
  const packing = packNpz([{ name: 'big.npy', file: big }], dest, { compress: true, signal: controller.signal });
  // Abort once the archive has started growing, so the cancel lands inside the data.
  while (!(await exists(dest)) || (await stat(dest)).size < 1 << 20) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  await assert.rejects(packing, (e: unknown) => isCode('cancelled')(e) && (e as Img2npyError).file === dest);
  assert.equal(await exists(dest), false);
  await assert.rejects(packNpz([{ name: 'big.npy', file: big }], dest, { compress: false, signal: AbortSignal.abort() }), isCode('cancelled'));
  assert.equal(await exists(dest), false);
  assert.deepEqual((await readdir(dir)).sort(), ['big.npy']);
});

test('a missing source or an unwritable destination is write-failed naming the archive; bad names are refused', async (t) => {
  const dir = await tempDir(t);
  const dest = join(dir, 'out.npz');
  const missing = join(dir, 'gone.npy');
  await assert.rejects(packNpz([{ name: 'x.npy', file: missing }], dest, { compress: false }), (e: unknown) => {
    assert.ok(isCode('write-failed')(e));
    assert.equal((e as Img2npyError).file, dest);
    assert.match((e as Error).message, /gone\.npy/);
    return true;
  });
  assert.equal(await exists(dest), false);
  const ok = join(dir, 'ok.npy');
  await writeFile(ok, new Uint8Array(0));
  const nowhere = join(dir, 'no', 'out.npz');
  await assert.rejects(packNpz([{ name: 'x.npy', file: ok }], nowhere, { compress: false }), (e: unknown) => isCode('write-failed')(e) && (e as Error).message.includes(nowhere));
  for (const name of ['x', 'a/x.npy', '.npy']) {
    await assert.rejects(packNpz([{ name, file: ok }], dest, { compress: false }), isCode('internal'), name);
  }
  await assert.rejects(packNpz([{ name: 'x.npy', file: ok }, { name: 'x.npy', file: ok }], dest, { compress: false }), /distinct/);
});

test('the table CRC-32 used before Node 20.15 matches the standard check value and zlib', () => {
  assert.equal(tableCrc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(tableCrc32(new Uint8Array(0)), 0);
  const data = randomBytes(100_003);
  const whole = tableCrc32(data);
  assert.equal(tableCrc32(data.subarray(50_000), tableCrc32(data.subarray(0, 50_000))), whole, 'continues across chunks');
  const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (native) assert.equal(whole, native(data));
});
