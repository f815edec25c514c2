import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../../src/shared/errors.js';
import { openArrayFile, type ArrayFile } from '../../../src/core/arrays/reader.js';
import { packNpz } from '../../../src/core/arrays/npz-pack.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const isCode = (code: string) => (e: unknown) => e instanceof Img2npyError && e.code === code;

interface Expected {
  arrays: { name: string; descr: string; shape: number[] }[];
  /** Rows 3..5 of each array as NumPy gives them (float16 as its bits, floats as float64 values). */
  rows: Record<string, unknown[]>;
  /** Non-finite values arrive as Python's text for them ('inf', '-inf', 'nan'). */
  stats: Record<string, [number | string, number | string, number | string] | null>;
}

/**
 * NumPy writes every dtype into a .npy per array and into savez / savez_compressed archives, and
 * answers what rows and statistics must be. f16 holds ±inf-free extremes and subnormals; big is
 * larger than one 4 MiB stats block so block edges are crossed.
 */
const writeAll = `import sys, json, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(11)
f16 = np.array([65504, -65504, 2**-24, -2**-14, 0.1, 1, -0, 3.14159], np.float16)
arrays = {
  'u8': rng.integers(0, 256, (9, 4, 4, 3), dtype=np.uint8),
  'i32': rng.integers(-2**31, 2**31 - 1, (9, 2), dtype=np.int32),
  'f32': (rng.standard_normal((9, 3, 2)) * 1e3).astype(np.float32),
  'f16': np.stack([f16.astype(np.float32) * (i + 1) / 9 for i in range(9)]).astype(np.float16),
  'inf16': np.array([1, np.inf, -np.inf, 2, 3, 4], np.float16),
  'nan32': np.array([1, np.nan, 5, 0, 0, 0], np.float32),
  'names': np.array(['cat', 'dög', '🐕‍🦺', '', 'x' * 20, '日本', 'a', 'b', 'c']),
  'big': rng.integers(0, 256, (5 << 20) + 3, dtype=np.uint8),
  'scalar': np.array(2.5, np.float32),
  'none': np.zeros((0, 3), np.float32),
}
for k, a in arrays.items():
    np.save(f'{d}/{k}.npy', a)
np.savez(d + '/stored.npz', **arrays)
np.savez_compressed(d + '/deflated.npz', **arrays)
def rows(a):
    if a.ndim == 0 or len(a) < 6: return None
    r = a[3:6]
    if r.dtype == np.float16: r = r.view(np.uint16)
    return r.ravel().tolist()
def stats(a):
    if a.dtype.kind == 'U' or a.size == 0: return None
    return [num(a.min()), num(a.max()), num(a.astype(np.float64).mean())]
def num(v):
    return float(v) if np.isfinite(v) else str(float(v))
print(json.dumps({
  'arrays': [{'name': k, 'descr': a.dtype.str, 'shape': a.shape} for k, a in arrays.items()],
  'rows': {k: rows(a) for k, a in arrays.items()},
  'stats': {k: stats(a) for k, a in arrays.items()},
}))`;

async function fixtures(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; expected: Expected }> {
  const dir = await tempDir(t);
  return { dir, expected: await py<Expected>(writeAll, [dir]) };
}

async function checkFile(f: ArrayFile, expected: Expected, names: string[]): Promise<void> {
  for (const name of names) {
    const want = expected.arrays.find((a) => a.name === name)!;
    const info = f.arrays.find((a) => a.name === name);
    assert.ok(info, `${f.path} lists ${name}`);
    assert.deepEqual([info.descr, info.shape], [want.descr, want.shape], name);
    if (expected.rows[name]) {
      const rows = await f.readRows(name, 3, 3);
      assert.deepEqual(Array.isArray(rows) ? rows : Array.from(rows as ArrayLike<number | bigint>, Number), expected.rows[name], `${f.path}: rows 3..5 of ${name}`);
    }
    const stats = await f.stats(name);
    const ref = expected.stats[name]?.map((v) => (typeof v === 'number' ? v : { inf: Infinity, '-inf': -Infinity }[v] ?? NaN));
    if (!ref) {
      assert.deepEqual(stats, { min: null, max: null, mean: null }, name);
      continue;
    }
    assert.equal(stats.min, ref[0], `${name} min`);
    assert.equal(stats.max, ref[1], `${name} max`);
    const close = Object.is(stats.mean, ref[2]) || Math.abs(stats.mean! - ref[2]) <= 1e-9 * Math.max(1, Math.abs(ref[2]));
    assert.ok(close, `${name} mean ${stats.mean} vs NumPy ${ref[2]}`);
  }
}

test('reads every dtype from NumPy .npy files: shapes, exact rows, stats in bounded blocks', async (t) => {
  const { dir, expected } = await fixtures(t);
  for (const a of expected.arrays) {
    const f = await openArrayFile(join(dir, `${a.name}.npy`));
    assert.equal(f.format, 'npy');
    assert.deepEqual(f.arrays.map((x) => x.name), [a.name]);
    await checkFile(f, expected, [a.name]);
    await f.close();
  }
  const f = await openArrayFile(join(dir, 'f16.npy'));
  assert.equal(f.arrays[0].dtype, 'float16');
  assert.ok((await f.readRows('f16', 0, 1)) instanceof Uint16Array, 'float16 rows come back as half bits');
  assert.deepEqual(await (await openArrayFile(join(dir, 'scalar.npy'))).readRows('scalar', 0, 1), new Float32Array([2.5]));
  await f.close();
});

for (const kind of ['stored', 'deflated']) {
  test(`reads every dtype from np.savez${kind === 'deflated' ? '_compressed' : ''} archives`, async (t) => {
    const { dir, expected } = await fixtures(t);
    const f = await openArrayFile(join(dir, `${kind}.npz`));
    assert.equal(f.format, 'npz');
    assert.deepEqual(f.arrays.map((a) => a.name), expected.arrays.map((a) => a.name));
    assert.deepEqual(f.arrays.map((a) => a.dtype), ['uint8', 'int32', 'float32', 'float16', 'float16', 'float32', 'str', 'uint8', 'float32', 'float32']);
    await checkFile(f, expected, expected.arrays.map((a) => a.name));
    // Backwards after forwards: a deflated entry restarts its cursor; results must not change.
    const late = await f.readRows('u8', 7, 2);
    const early = await f.readRows('u8', 0, 4);
    const all = await f.readRows('u8', 0, 9);
    assert.deepEqual(early, all.slice(0, 4 * 48));
    assert.deepEqual(late, all.slice(7 * 48));
    assert.deepEqual(await f.readRows('names', 0, 0), []);
    await f.close();
  });
}

test('reads archives packed by packNpz (ZIP64 records) the same as NumPy does', async (t) => {
  const { dir, expected } = await fixtures(t);
  const names = ['u8', 'f16', 'names'];
  const dest = join(dir, 'ours.npz');
  await packNpz(names.map((n) => ({ name: `${n}.npy`, file: join(dir, `${n}.npy`) })), dest, { compress: true });
  const f = await openArrayFile(dest);
  await checkFile(f, expected, names);
  await f.close();
});

test('rejects files that are not readable arrays with not-an-array-file naming the file', async (t) => {
  const dir = await tempDir(t);
  await py(
    `import sys, json, numpy as np
d = sys.argv[1]
np.save(d + '/be.npy', np.arange(4, dtype='>f4'))
np.save(d + '/obj.npy', np.array([None, {}], dtype=object), allow_pickle=True)
np.save(d + '/u16.npy', np.arange(3, dtype=np.uint16))
np.save(d + '/rec.npy', np.zeros(2, [('a', '<i4')]))
np.save(d + '/ok.npy', np.arange(1000, dtype=np.int32))
np.savez(d + '/objz.npz', a=np.arange(3, dtype=np.uint8), o=np.array([None], dtype=object))
np.savez_compressed(d + '/ok.npz', a=np.arange(100000, dtype=np.int32))
print(json.dumps(True))`,
    [dir],
  );
  await writeFile(join(dir, 'text.npy'), 'just some text\n');
  await writeFile(join(dir, 'empty.npz'), '');
  const okNpy = await readFile(join(dir, 'ok.npy'));
  await writeFile(join(dir, 'cut.npy'), okNpy.subarray(0, 500));
  await writeFile(join(dir, 'cuthead.npy'), okNpy.subarray(0, 40));
  const okNpz = await readFile(join(dir, 'ok.npz'));
  await writeFile(join(dir, 'cut.npz'), okNpz.subarray(0, okNpz.length >> 1));
  const cases: [string, RegExp][] = [
    ['text.npy', /neither a \.npy file nor an \.npz/],
    ['empty.npz', /the file is empty/],
    ['be.npy', /big-endian arrays are not supported/],
    ['obj.npy', /pickled Python objects/],
    ['objz.npz', /entry o\.npy.*pickled Python objects/],
    ['u16.npy', /descr <u2 is not supported/],
    ['rec.npy', /structured/],
    ['cut.npy', /truncated \(the data should be 4000 bytes but only 372 are there\)/],
    ['cuthead.npy', /truncated inside the header/],
    ['cut.npz', /cannot be read as one .*truncated/],
  ];
  for (const [name, pattern] of cases) {
    const path = join(dir, name);
    await assert.rejects(openArrayFile(path), (e: unknown) => {
      assert.ok(isCode('not-an-array-file')(e), `${name}: ${(e as Error).message}`);
      assert.equal((e as Img2npyError).file, path, name);
      assert.ok((e as Error).message.includes(path), name);
      assert.match((e as Error).message, pattern, name);
      return true;
    });
  }
  await assert.rejects(openArrayFile(join(dir, 'missing.npy')), isCode('input-not-found'));
});

test('a deflated entry whose data is damaged fails on read with not-an-array-file; bad requests are refused', async (t) => {
  const dir = await tempDir(t);
  await py(
    `import sys, json, numpy as np
np.savez_compressed(sys.argv[1] + '/z.npz', a=np.random.default_rng(1).integers(0, 256, 400000, dtype=np.uint8))
np.save(sys.argv[1] + '/f.npy', np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)))
print(json.dumps(True))`,
    [dir],
  );
  const path = join(dir, 'z.npz');
  const bytes = await readFile(path);
  // Scramble the middle of the compressed stream; the header at its start still inflates.
  for (let i = 2000; i < 6000; i++) bytes[i] ^= 0x5a;
  await writeFile(path, bytes);
  const f = await openArrayFile(path);
  await assert.rejects(f.stats('a'), (e: unknown) => isCode('not-an-array-file')(e) && (e as Img2npyError).file === path);
  await assert.rejects(f.readRows('a', 399_000, 10), isCode('not-an-array-file'));
  await assert.rejects(f.readRows('nope', 0, 1), /No array named nope/);
  await assert.rejects(f.readRows('a', 399_999, 2), /within 0\.\.400000/);
  await assert.rejects(f.readRows('a', -1, 1), isCode('internal'));
  await f.close();
  await assert.rejects(f.readRows('a', 0, 1), /already closed/);
  const fortran = await openArrayFile(join(dir, 'f.npy'));
  await assert.rejects(fortran.readRows('f', 0, 1), /Fortran/);
  assert.deepEqual(await fortran.stats('f'), { min: 0, max: 11, mean: 5.5 });
  await fortran.close();
});

test('stats stop with cancelled when the signal aborts', async (t) => {
  const { dir } = await fixtures(t);
  const f = await openArrayFile(join(dir, 'deflated.npz'));
  await assert.rejects(f.stats('big', { signal: AbortSignal.abort() }), isCode('cancelled'));
  await f.close();
  await truncate(join(dir, 'big.npy'), 1 << 20);
  await assert.rejects(openArrayFile(join(dir, 'big.npy')), /truncated/);
});
