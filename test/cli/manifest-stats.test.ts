import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { encode, gradient } from '../helpers/fixtures.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

/** Gradient PNGs of assorted sizes, so channels differ and resizing gives many distinct values. */
async function makeFolder(root: string, perClass: number): Promise<void> {
  for (const [ci, cls] of ['a', 'b', 'c'].entries()) {
    await mkdir(join(root, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) await writeFile(join(root, cls, `${i}.png`), await encode(gradient(6 + 3 * i + ci, 5 + 2 * ci + i), 'png'));
  }
}

/** NumPy's per-channel mean/std over every file of one output (all shards together), in float64. */
const numpyStats = `
import sys, json, os, numpy as np
layout, files = sys.argv[1], sys.argv[2:]
def x_of(f):
    return np.load(os.path.join(f, 'x.npy')) if os.path.isdir(f) else np.load(f)['x']
x = np.concatenate([x_of(f) for f in files])
axis = (0, 1, 2) if layout == 'nhwc' else (0, 2, 3)
w = x.astype(np.float64)
print(json.dumps({'n': len(x), 'dtype': x.dtype.str, 'mean': w.mean(axis=axis).tolist(), 'std': w.std(axis=axis).tolist()}))
`;

interface Manifest {
  outputs: { subset: string; files: string[]; samples: number; stats: { mean: number[]; std: number[] } | null }[];
}

const cases: { name: string; args: string[]; layout: 'nhwc' | 'nchw'; out: string }[] = [
  { name: 'uint8 nhwc npz, batches of 4', args: ['--batch-size', '4'], layout: 'nhwc', out: 'd.npz' },
  { name: 'float32 unit nchw, batches of 3, shards of 5', args: ['--dtype', 'float32', '--normalize', 'unit', '--layout', 'nchw', '--batch-size', '3', '--shard-size', '5'], layout: 'nchw', out: 'd.npz' },
  { name: 'float16 imagenet nhwc npy folders, train/val split', args: ['--dtype', 'float16', '--normalize', 'imagenet', '--batch-size', '2', '--validation-split', '0.3', '--seed', '3'], layout: 'nhwc', out: 'd' },
  { name: 'grayscale float32 custom nchw, shards and a split', args: ['--color', 'grayscale', '--mean', '0.5', '--std', '0.25', '--layout', 'nchw', '--shard-size', '4', '--validation-split', '0.25', '--seed', '9'], layout: 'nchw', out: 'd.npz' },
];

for (const c of cases) {
  test(`manifest stats of every output equal NumPy's x.mean/x.std per channel: ${c.name}`, async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'in');
    await makeFolder(root, 5);
    const r = await cli(['convert', root, '--size', '7x9', '--out', join(dir, c.out), ...c.args]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(await readFile(join(dir, 'd.manifest.json'), 'utf8')) as Manifest;
    assert.ok(manifest.outputs.length >= 1);
    for (const o of manifest.outputs) {
      const want = await py<{ n: number; dtype: string; mean: number[]; std: number[] }>(numpyStats, [c.layout, ...o.files]);
      assert.equal(want.n, o.samples);
      assert.ok(o.stats, `${o.subset}: no stats`);
      assert.equal(o.stats.mean.length, want.mean.length);
      for (let k = 0; k < want.mean.length; k++) {
        assert.ok(Math.abs(o.stats.mean[k] - want.mean[k]) < 1e-4, `${o.subset} mean[${k}]: ${o.stats.mean[k]} vs ${want.mean[k]}`);
        assert.ok(Math.abs(o.stats.std[k] - want.std[k]) < 1e-4, `${o.subset} std[${k}]: ${o.stats.std[k]} vs ${want.std[k]}`);
      }
    }
  });
}

const numpyFileStats = `
import sys, json, os, numpy as np
f, layout = sys.argv[1], sys.argv[2]
x = np.load(os.path.join(f, 'x.npy')) if os.path.isdir(f) else np.load(f)['x']
axis = (0, 1, 2) if layout == 'nhwc' else (0, 2, 3)
w = x.astype(np.float64)
print(json.dumps({'mean': w.mean(axis=axis).tolist(), 'std': w.std(axis=axis).tolist()}))
`;

interface Inspected {
  channelStats: { mean: number[]; std: number[]; source: string } | null;
}

async function inspectJson(path: string): Promise<Inspected> {
  const r = await cli(['inspect', path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!).data as Inspected;
}

function assertClose(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, k) => assert.ok(Math.abs(g - want[k]) < 1e-4, `${what}[${k}]: ${g} vs ${want[k]}`));
}

test('inspect prints the stats: from the manifest when it describes the file, else computed (layout from the manifest for a shard)', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeFolder(root, 4);
  // 3x4 nchw rows are [3, 3, 4]: both axes 1 and 3 look like channels, so only the manifest can tell.
  const r = await cli(['convert', root, '--size', '3x4', '--layout', 'nchw', '--dtype', 'float16', '--normalize', 'symmetric', '--out', join(dir, 'd.npz')]);
  assert.equal(r.code, 0, r.stderr);
  const manifest = JSON.parse(await readFile(join(dir, 'd.manifest.json'), 'utf8')) as Manifest;
  const whole = await inspectJson(join(dir, 'd.npz'));
  assert.equal(whole.channelStats?.source, 'manifest');
  assert.deepEqual({ mean: whole.channelStats.mean, std: whole.channelStats.std }, manifest.outputs[0].stats);
  const human = await cli(['inspect', join(dir, 'd.npz')]);
  assert.match(human.stdout, /x per channel: mean [-\d.e]+, [-\d.e]+, [-\d.e]+ {2}std [\d.e-]+, [\d.e-]+, [\d.e-]+ {2}\(from the manifest\)/);

  const sharded = await cli(['convert', root, '--size', '3x4', '--layout', 'nchw', '--shard-size', '5', '--out', join(dir, 's.npz')]);
  assert.equal(sharded.code, 0, sharded.stderr);
  const shard = join(dir, 's-00001-of-00003.npz');
  const fromShard = await inspectJson(shard);
  assert.equal(fromShard.channelStats?.source, 'computed');
  const want = await py<{ mean: number[]; std: number[] }>(numpyFileStats, [shard, 'nchw']);
  assertClose(fromShard.channelStats.mean, want.mean, 'shard mean');
  assertClose(fromShard.channelStats.std, want.std, 'shard std');

  // A file rewritten since its manifest (another size) gets computed stats, not stale ones.
  await writeFile(join(dir, 'd.npz'), await readFile(shard));
  const replaced = await inspectJson(join(dir, 'd.npz'));
  assert.equal(replaced.channelStats?.source, 'computed');
  assertClose(replaced.channelStats.mean, want.mean, 'replaced mean');
});

test('inspect computes the stats of an array with no manifest (nhwc npy folder)', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeFolder(root, 3);
  const r = await cli(['convert', root, '--size', '5x6', '--out', join(dir, 'f'), '--format', 'npy']);
  assert.equal(r.code, 0, r.stderr);
  await writeFile(join(dir, 'f.manifest.json'), 'not json');
  const got = await inspectJson(join(dir, 'f'));
  assert.equal(got.channelStats?.source, 'computed');
  const want = await py<{ mean: number[]; std: number[] }>(numpyFileStats, [join(dir, 'f'), 'nhwc']);
  assertClose(got.channelStats.mean, want.mean, 'mean');
  assertClose(got.channelStats.std, want.std, 'std');
});
