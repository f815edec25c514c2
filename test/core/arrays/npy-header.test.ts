import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../../src/shared/errors.js';
import { buildNpyHeader, friendlyDtype, itemBytes, npyDescr, npyHeaderLength, parseNpyHeader } from '../../../src/core/arrays/npy-header.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

interface Case {
  descr: string;
  shape: number[];
  fortran?: boolean;
}

/** NumPy's own header bytes for each case, from np.save on a real array (or, for shapes too big to allocate, the writer np.save calls). */
async function numpyHeaders(dir: string, cases: Case[]): Promise<Buffer[]> {
  await writeFile(join(dir, 'cases.json'), JSON.stringify(cases));
  await py(
    `import sys, json, numpy as np
from numpy.lib import format as fmt
cases = json.load(open(sys.argv[1] + '/cases.json'))
for i, c in enumerate(cases):
    path = f"{sys.argv[1]}/{i}.npy"
    shape = tuple(c['shape'])
    if len(shape) <= 32 and int(np.prod(shape, dtype=object)) * np.dtype(c['descr']).itemsize <= 1 << 24:
        a = np.zeros(shape, dtype=c['descr'])
        if c.get('fortran'):
            a = np.asfortranarray(a)
        np.save(path, a)
    else:
        with open(path, 'wb') as f:
            fmt._write_array_header(f, {'descr': c['descr'], 'fortran_order': bool(c.get('fortran')), 'shape': shape}, None)
print(json.dumps(True))`,
    [dir],
  );
  return Promise.all(cases.map(async (_, i) => {
    const file = await readFile(join(dir, `${i}.npy`));
    return file.subarray(0, npyHeaderLength(file));
  }));
}

test('buildNpyHeader is byte-identical to np.save for every dtype and many shapes', async (t) => {
  const dir = await tempDir(t);
  const cases: Case[] = [
    { descr: '|u1', shape: [0] },
    { descr: '|u1', shape: [5] },
    { descr: '|u1', shape: [3, 224, 224, 3] },
    { descr: '<i4', shape: [7] },
    { descr: '<f4', shape: [2, 3] },
    { descr: '<f4', shape: [10, 3, 32, 32] },
    { descr: '<f2', shape: [1, 1, 1] },
    { descr: '<f2', shape: [] },
    { descr: '<U1', shape: [0] },
    { descr: '<U12', shape: [4] },
    { descr: '<f4', shape: [3, 4], fortran: true },
    // Dict lengths that land right on and around the 64-byte boundary (NumPy then pads a whole 64).
    { descr: '|u1', shape: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    { descr: '|u1', shape: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
    { descr: '|u1', shape: [123456789012, 224, 224, 3] },
    // Only here do NumPy's 21-digit growth spaces cross a 64-byte boundary (192 bytes, not 128).
    { descr: '|u1', shape: [0, ...Array.from({ length: 14 }, () => 1)] },
    { descr: '|u1', shape: [123456789012, ...Array.from({ length: 14 }, () => 1)] },
    { descr: '<f4', shape: [9007199254740991, 1] },
    // Long enough that NumPy switches to format 2.0 (the dict passes 65535 bytes).
    { descr: '|u1', shape: [0, ...Array.from({ length: 22000 }, () => 1)] },
  ];
  const expected = await numpyHeaders(dir, cases);
  for (const [i, c] of cases.entries()) {
    const ours = buildNpyHeader(c.descr, c.shape, c.fortran);
    assert.deepEqual(ours, expected[i], `header for ${c.descr} [${c.shape.slice(0, 6).join(', ')}]`);
    assert.equal(ours.length % 64, 0);
  }
  assert.equal(expected[expected.length - 1][6], 2, 'the long case really is version 2.0');
  assert.equal(buildNpyHeader('|u1', cases[14].shape).length, 192, 'the growth case really grows');
});

test('header length does not depend on N, so a streaming writer can patch it in place', () => {
  // 16 ones: without the growth spaces, N = 0 and N = 2^53 - 1 would need headers of 128 and 192 bytes.
  for (const row of [[], [3], [224, 224, 3], [1, 2, 3, 4, 5, 6, 7], Array.from({ length: 16 }, () => 1)]) {
    const lengths = new Set([0, 1, 9, 10, 99_999, 10 ** 12, Number.MAX_SAFE_INTEGER].map((n) => buildNpyHeader('<f4', [n, ...row]).length));
    assert.equal(lengths.size, 1, `row shape [${row.join(', ')}]`);
  }
});

test('npyDescr and itemBytes agree with NumPy dtypes', async () => {
  const kinds = ['uint8', 'int32', 'float32', 'float16', 'int64', 'float64'] as const;
  const numpy = await py<{ str: string; size: number }[]>(
    `import json, numpy as np
print(json.dumps([{'str': np.dtype(k).str, 'size': np.dtype(k).itemsize} for k in ['uint8', 'int32', 'float32', 'float16', 'int64', 'float64', 'U7']]))`,
  );
  const ours = [...kinds.map((k) => npyDescr(k)), npyDescr({ unicode: 7 })];
  assert.deepEqual(ours, numpy.map((d) => d.str));
  assert.deepEqual(ours.map(itemBytes), numpy.map((d) => d.size));
  assert.deepEqual(ours.map(friendlyDtype), ['uint8', 'int32', 'float32', 'float16', 'int64', 'float64', 'str']);
  assert.equal(friendlyDtype('<u2'), null);
  assert.throws(() => npyDescr({ unicode: 0 }), (e: unknown) => e instanceof Img2npyError && e.code === 'internal');
  assert.throws(() => itemBytes('float32'), /simple NumPy descr/);
  assert.throws(() => buildNpyHeader('<f4', [-1]), /non-negative integer/);
});

test('parseNpyHeader reads NumPy files of format 1.0, 2.0 and 3.0, and Python 2 style headers', async (t) => {
  const dir = await tempDir(t);
  const numpyPy2 = await py<[string, number[], number]>(
    `import sys, json, numpy as np
from numpy.lib import format as fmt
d = sys.argv[1]
np.save(d + '/a.npy', np.zeros((3, 5, 2), np.float16))
np.save(d + '/f.npy', np.asfortranarray(np.zeros((4, 6), np.int32)))
np.save(d + '/s.npy', np.array(['héllo', '🐕']))
np.save(d + '/z.npy', np.array(7, np.uint8))
for v in [(2, 0), (3, 0)]:
    with open(d + f'/v{v[0]}.npy', 'wb') as f:
        fmt.write_array(f, np.zeros((2, 3), np.float32), version=v)
# A header as Python 2 NumPy wrote it: longs with L and keys in another order.
text = "{'shape': (2L, 3L), 'fortran_order': False, 'descr': '<i4'}"
text += ' ' * (64 - (10 + len(text) + 1) % 64) + '\\n'
with open(d + '/py2.npy', 'wb') as f:
    f.write(b'\\x93NUMPY\\x01\\x00' + len(text).to_bytes(2, 'little') + text.encode('latin1') + bytes(24))
a = np.load(d + '/py2.npy')
print(json.dumps([a.dtype.str, a.shape, 10 + len(text)]))`,
    [dir],
  );
  const parse = async (name: string) => parseNpyHeader(await readFile(join(dir, name)), name);
  assert.deepEqual(await parse('a.npy'), { version: [1, 0], descr: '<f2', fortranOrder: false, shape: [3, 5, 2], dataOffset: 128 });
  assert.deepEqual((await parse('f.npy')).fortranOrder, true);
  assert.deepEqual((await parse('s.npy')).descr, '<U5');
  assert.deepEqual((await parse('z.npy')).shape, []);
  for (const v of [2, 3]) {
    const h = await parse(`v${v}.npy`);
    assert.deepEqual([h.version, h.descr, h.shape, h.dataOffset % 64], [[v, 0], '<f4', [2, 3], 0]);
  }
  const py2 = await parse('py2.npy');
  assert.deepEqual([py2.descr, py2.shape, py2.dataOffset], numpyPy2);
});

test('parseNpyHeader refuses bad magic, truncation, big-endian, object and structured dtypes with clear messages', async (t) => {
  const dir = await tempDir(t);
  await py(
    `import sys, json, numpy as np
d = sys.argv[1]
np.save(d + '/be.npy', np.zeros(3, '>f4'))
np.save(d + '/beu.npy', np.array(['a'], '>U1'))
np.save(d + '/obj.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
np.save(d + '/rec.npy', np.zeros(2, dtype=[('a', '<i4'), ('b', '<f4')]))
np.save(d + '/ok.npy', np.zeros(3, '<f4'))
print(json.dumps(True))`,
    [dir],
  );
  const ok = await readFile(join(dir, 'ok.npy'));
  const rejects = (buf: Uint8Array, pattern: RegExp) =>
    assert.throws(() => parseNpyHeader(buf, 'the.npy'), (e: unknown) => {
      assert.ok(e instanceof Img2npyError);
      assert.equal(e.code, 'not-an-array-file');
      assert.equal(e.file, 'the.npy');
      assert.match(e.message, /the\.npy/);
      assert.match(e.message, pattern);
      return true;
    });
  rejects(await readFile(join(dir, 'be.npy')), /big-endian arrays are not supported \(descr >f4\)/);
  rejects(await readFile(join(dir, 'beu.npy')), /big-endian arrays are not supported/);
  rejects(await readFile(join(dir, 'obj.npy')), /object arrays hold pickled Python objects/);
  rejects(await readFile(join(dir, 'rec.npy')), /structured \(record\) arrays are not supported/);
  rejects(Buffer.from('PK\x03\x04 not an npy file at all'), /magic string/);
  rejects(Buffer.alloc(0), /truncated before the end of the magic/);
  rejects(ok.subarray(0, 4), /truncated before the end of the magic/);
  rejects(ok.subarray(0, 9), /truncated inside the header/);
  rejects(ok.subarray(0, 70), /truncated inside the header \(70 of 128 bytes\)/);
  const v9 = Buffer.from(ok);
  v9[6] = 9;
  rejects(v9, /unsupported \.npy format version 9\.0/);
  const keys = Buffer.from(ok);
  keys.write("'dtype'", keys.indexOf("'descr'"), 'latin1');
  rejects(keys, /header keys are dtype, fortran_order, shape instead of descr/);
  const garbage = Buffer.from(ok);
  garbage.write('__import__("os")', 10, 'latin1');
  rejects(garbage, /malformed header/);
  const negative = buildNpyHeader('<f4', [33]);
  negative.write('-3', negative.indexOf('33,)'), 'latin1');
  rejects(negative, /shape is not a tuple of non-negative integers/);
});
