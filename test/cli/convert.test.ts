import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const colours: Record<string, [number, number, number]> = { blue: [0, 0, 255], green: [0, 200, 0], red: [250, 10, 5] };

/** NumPy's view of an .npz: every array's shape and dtype, plus y, class_names and paths. */
const summarize = `
import sys, json, numpy as np
d = np.load(sys.argv[1], allow_pickle=False)
out = {'meta': {k: {'shape': list(d[k].shape), 'dtype': d[k].dtype.str} for k in d.files}}
out['files'] = list(d.files)
out['y'] = d['y'].tolist() if 'y' in d.files else None
out['class_names'] = d['class_names'].tolist()
out['paths'] = d['paths'].tolist()
x = d['x']
out['x_first_pixel'] = [x[i].reshape(-1, x.shape[-1])[0].tolist() for i in range(len(x))]
out['x_unique_per_image'] = [int(len(np.unique(x[i].reshape(-1, x.shape[-1]), axis=0))) for i in range(len(x))]
print(json.dumps(out))
`;

interface Summary {
  meta: Record<string, { shape: number[]; dtype: string }>;
  files: string[];
  y: number[] | null;
  class_names: string[];
  paths: string[];
  x_first_pixel: number[][];
  x_unique_per_image: number[];
}

test('solid colours → npz: shapes, dtypes, labels, class_names, paths and pixels as NumPy sees them', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 3);
  const out = join(dir, 'out.npz');
  const r = await cli(['convert', root, '--out', out, '--size', '8x12', '--resize', 'crop']);
  assert.equal(r.code, 0, r.stderr);
  const s = await py<Summary>(summarize, [out]);
  assert.deepEqual(s.files.sort(), ['class_names', 'paths', 'x', 'y']);
  assert.deepEqual(s.meta.x, { shape: [9, 8, 12, 3], dtype: '|u1' });
  assert.deepEqual(s.meta.y, { shape: [9], dtype: '<i4' });
  assert.deepEqual(s.class_names, ['blue', 'green', 'red']);
  assert.equal(s.paths[0], 'blue/img-000.png');
  assert.deepEqual(s.y, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
  for (let i = 0; i < 9; i++) {
    assert.deepEqual(s.x_first_pixel[i], colours[s.class_names[s.y![i]]]);
    assert.equal(s.x_unique_per_image[i], 1);
  }
  const manifest = JSON.parse(await readFile(join(dir, 'out.manifest.json'), 'utf8'));
  // uint8 rows in nhwc need no tensor operation: TensorFlow.js is not even loaded, and not named.
  assert.equal(manifest.backend, 'none');
  assert.deepEqual(manifest.countsPerClass, { blue: 3, green: 3, red: 3 });
  assert.doesNotMatch(r.stdout, /backend/);
});

test('float32 unit normalisation, nchw layout and categorical labels', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [255, 0, 51], b: [0, 102, 255] }, 2);
  const out = join(dir, 'o.npz');
  const r = await cli(['convert', root, '--out', out, '--size', '4x4', '--normalize', 'unit', '--layout', 'nchw', '--label-mode', 'categorical']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /on the wasm \(SIMD/, 'normalisation runs on TensorFlow.js');
  const s = await py<Record<string, unknown>>(
    `import sys, json, numpy as np
d = np.load(sys.argv[1], allow_pickle=False)
print(json.dumps({'shape': list(d['x'].shape), 'dtype': d['x'].dtype.str, 'px': d['x'][:, :, 0, 0].tolist(), 'y': d['y'].tolist(), 'ydt': d['y'].dtype.str}))`,
    [out],
  );
  assert.deepEqual(s.shape, [4, 3, 4, 4]);
  assert.equal(s.dtype, '<f4');
  assert.deepEqual(s.y, [[1, 0], [1, 0], [0, 1], [0, 1]]);
  assert.equal(s.ydt, '<f4');
  const px = s.px as number[][];
  assert.ok(Math.abs(px[0][0] - 1) < 1e-6 && Math.abs(px[0][2] - 0.2) < 1e-6, JSON.stringify(px[0]));
  assert.ok(Math.abs(px[3][1] - 0.4) < 1e-6, JSON.stringify(px[3]));
});

test('npy folder output maps with mmap_mode and has 64-byte aligned headers', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 2);
  const out = join(dir, 'arrays');
  const r = await cli(['convert', root, '--out', out, '--size', '6x6', '--labels', 'none']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['class_names.npy', 'paths.npy', 'x.npy']);
  const manifest = JSON.parse(await readFile(join(dir, 'arrays.manifest.json'), 'utf8'));
  assert.deepEqual(manifest.shape, [6, 6, 6, 3], 'report counts unlabelled images too');
  assert.match(r.stdout, /Converted 6 images/);
  const s = await py<{ mm: boolean; shape: number[]; offset: number; green: number[] }>(
    `import sys, json, numpy as np
x = np.load(sys.argv[1] + '/x.npy', mmap_mode='r', allow_pickle=False)
print(json.dumps({'mm': isinstance(x, np.memmap), 'shape': list(x.shape), 'offset': int(x.offset), 'green': x[2, 0, 0].tolist()}))`,
    [out],
  );
  assert.equal(s.mm, true);
  assert.deepEqual(s.shape, [6, 6, 6, 3]);
  assert.equal(s.offset % 64, 0);
  assert.deepEqual(s.green, [0, 200, 0]);
});

test('npz entries carry ZIP64 extra fields, as np.savez writes them', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 1);
  for (const compress of [false, true]) {
    const out = join(dir, `z${compress}.npz`);
    const r = await cli(['convert', root, '--out', out, '--size', '4x4', ...(compress ? ['--compress'] : [])]);
    assert.equal(r.code, 0, r.stderr);
    const z = await py<{ name: string; zip64: boolean; method: number }[]>(
      `import sys, json, zipfile, struct
zf = zipfile.ZipFile(sys.argv[1])
out = []
for info in zf.infolist():
    raw = open(sys.argv[1], 'rb')
    raw.seek(info.header_offset)
    head = raw.read(30)
    n, m = struct.unpack('<HH', head[26:30])
    extra = raw.read(n + m)[n:]
    ids = []
    while len(extra) >= 4:
        hid, size = struct.unpack('<HH', extra[:4]); ids.append(hid); extra = extra[4 + size:]
    out.append({'name': info.filename, 'zip64': 1 in ids, 'method': info.compress_type})
print(json.dumps(out))`,
      [out],
    );
    assert.deepEqual(z.map((e) => e.name).sort(), ['class_names.npy', 'paths.npy', 'x.npy', 'y.npy']);
    for (const e of z) {
      assert.equal(e.zip64, true, `${e.name} local header has no ZIP64 extra`);
      assert.equal(e.method, compress ? 8 : 0);
    }
  }
});

test('existing output is refused (exit 2, untouched) and replaced with --overwrite', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 1);
  const out = join(dir, 'o.npz');
  assert.equal((await cli(['convert', root, '--out', out, '--size', '4x4'])).code, 0);
  const before = await stat(out);
  const again = await cli(['convert', root, '--out', out, '--size', '5x5']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /o\.npz already exists \(an img2npy output from an earlier run\); turn on overwrite \(--overwrite\)/);
  assert.equal((await stat(out)).mtimeMs, before.mtimeMs);
  assert.equal((await cli(['convert', root, '--out', out, '--size', '5x5', '--overwrite'])).code, 0);
  const s = await py<Summary>(summarize, [out]);
  assert.deepEqual(s.meta.x.shape, [3, 5, 5, 3]);
  assert.deepEqual((await readdir(dir)).sort(), ['in', 'o.manifest.json', 'o.npz']);
});

test('input errors exit 2 with a message naming the folder or option', async (t) => {
  const dir = await tempDir(t);
  const missing = await cli(['convert', join(dir, 'nope'), '--out', join(dir, 'o.npz'), '--size', '4x4']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope/);
  const noSize = await cli(['convert', dir, '--out', join(dir, 'o.npz')]);
  assert.equal(noSize.code, 2);
  assert.match(noSize.stderr, /for --size when --resize is stretch/);
  const noOut = await cli(['convert', dir, '--size', '4x4']);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /--out/);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 1);
  const binary = await cli(['convert', root, '--out', join(dir, 'b.npz'), '--size', '4x4', '--label-mode', 'binary']);
  assert.equal(binary.code, 2);
  assert.match(binary.stderr, /exactly 2 classes for --label-mode binary but found 3/);
  assert.deepEqual((await readdir(dir)).sort(), ['in']);
});

test('shuffle + split: same seed gives the same train/val membership; shards are named -of-', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 4);
  const runSplit = async (name: string) => {
    const out = join(dir, `${name}.npz`);
    const r = await cli(['convert', root, '--out', out, '--size', '4x4', '--shuffle', '--seed', '42', '--validation-split', '0.25']);
    assert.equal(r.code, 0, r.stderr);
    const train = await py<Summary>(summarize, [join(dir, `${name}-train.npz`)]);
    const val = await py<Summary>(summarize, [join(dir, `${name}-val.npz`)]);
    return { train: train.paths, val: val.paths };
  };
  const a = await runSplit('a');
  const b = await runSplit('b');
  assert.equal(a.val.length, 3);
  assert.equal(a.train.length, 9);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.train, [...a.train].sort(), 'shuffled');

  const shards = await cli(['convert', root, '--out', join(dir, 's.npz'), '--size', '4x4', '--shard-size', '5']);
  assert.equal(shards.code, 0, shards.stderr);
  const names = (await readdir(dir)).filter((n) => n.startsWith('s-')).sort();
  assert.deepEqual(names, ['s-00000-of-00003.npz', 's-00001-of-00003.npz', 's-00002-of-00003.npz']);
  const last = await py<Summary>(summarize, [join(dir, names[2])]);
  assert.deepEqual(last.meta.x.shape, [2, 4, 4, 3]);
});

test('--resize none pads every image to the largest and says so first; --drop-remainder', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [10, 20, 30] }, 1, 7, 3);
  await makeSolidFolder(join(dir, 'in2'), { b: [200, 100, 50] }, 2, 4, 9);
  await makeSolidFolder(root, { b: [200, 100, 50] }, 2, 4, 9);
  const out = join(dir, 'o.npz');
  const r = await cli(['convert', root, '--out', out, '--resize', 'none', '--pad-position', 'top-left', '--batch-size', '2', '--drop-remainder']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /padded to the largest found: 9x7/);
  const s = await py<{ shape: number[]; corner: number[]; pad: number[] }>(
    `import sys, json, numpy as np
x = np.load(sys.argv[1], allow_pickle=False)['x']
print(json.dumps({'shape': list(x.shape), 'corner': x[0, 0, 0].tolist(), 'pad': x[0, 8, 6].tolist()}))`,
    [out],
  );
  assert.deepEqual(s.shape, [2, 9, 7, 3]);
  assert.deepEqual(s.corner, [10, 20, 30]);
  assert.deepEqual(s.pad, [0, 0, 0]);
});

test('--overwrite replaces the whole earlier output (manifest and every file it lists), but no unrelated file', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, colours, 2);
  const out = join(dir, 'd.npz');
  assert.equal((await cli(['convert', root, '--out', out, '--size', '4x4'])).code, 0);
  assert.equal((await cli(['convert', root, '--out', out, '--size', '4x4', '--validation-split', '0.5', '--shard-size', '2', '--overwrite'])).code, 0);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'd-old-00001-of-00002.npz'), 'mine');
  const refused = await cli(['convert', root, '--out', out, '--size', '4x4', '--shard-size', '4']);
  assert.equal(refused.code, 2, 'd.npz exists');
  const r = await cli(['convert', root, '--out', out, '--size', '4x4', '--shard-size', '4', '--overwrite']);
  assert.equal(r.code, 0, r.stderr);
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names, ['d-00000-of-00002.npz', 'd-00001-of-00002.npz', 'd-old-00001-of-00002.npz', 'd.manifest.json', 'in']);
});

test('a folder where every image is unreadable is an input error, with nothing written', async (t) => {
  const dir = await tempDir(t);
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(join(dir, 'in', 'a'), { recursive: true });
  await writeFile(join(dir, 'in', 'a', 'x.png'), 'not a png');
  const r = await cli(['convert', join(dir, 'in'), '--out', join(dir, 'o.npz'), '--size', '4x4']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /None of the 1 images/);
  assert.deepEqual((await readdir(dir)).sort(), ['in']);
});
