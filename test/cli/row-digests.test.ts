/**
 * Rows of 16 KiB and more leave the decoder threads with their CRC-32 and channel sums, and the
 * main thread writes them as they came (no gathering, no second pass over the bytes). Through
 * the real CLI: uint8 x written that way, stored, compressed, sharded and split, equals x from
 * the float32 run (which the tensor stage gathers and converts), every archive passes zipfile's
 * CRC check, and the manifest's channel statistics agree with NumPy's.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const makeDataset = `
import os, sys, numpy as np
from PIL import Image
base = sys.argv[1]
rng = np.random.default_rng(5)
for i in range(19):
    folder = os.path.join(base, 'ab'[i % 2])
    os.makedirs(folder, exist_ok=True)
    img = Image.fromarray(rng.integers(0, 256, (60 + i * 3, 90 - i, 3), dtype=np.uint8))
    img.save(os.path.join(folder, f'{i:02d}.png' if i % 3 else f'{i:02d}.jpg'))
print('null')`;

/** Per archive: zipfile's verdict, and x compared with the float32 run's archive of the same name. */
const compare = `
import sys, json, zipfile, numpy as np
out = []
for u, f in zip(sys.argv[1::2], sys.argv[2::2]):
    xu = np.load(u, allow_pickle=False)['x']
    xf = np.load(f, allow_pickle=False)['x']
    out.append({'file': u, 'bad': zipfile.ZipFile(u).testzip(), 'dtype': str(xu.dtype), 'rows': int(xu.shape[0]),
        'same': bool(xu.shape == xf.shape and np.array_equal(xu.astype(np.float32), xf)),
        'mean': xu.reshape(-1, 3).mean(axis=0).tolist(), 'std': xu.reshape(-1, 3).std(axis=0).tolist()})
print(json.dumps(out))`;

interface Compared {
  file: string;
  bad: string | null;
  dtype: string;
  rows: number;
  same: boolean;
  mean: number[];
  std: number[];
}

test('uint8 rows written as the threads digested them equal the gathered float32 rows; CRCs and statistics hold', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await py(makeDataset, [root]);
  // 80×80×3 = 19,200-byte rows: digested in the threads. Batches of 3 across shard ends of 4.
  const common = ['--size', '80x80', '--validation-split', '0.25', '--seed', '3', '--shard-size', '4', '--batch-size', '3'];
  for (const [out, extra] of [['u.npz', []], ['c.npz', ['--compress']], ['f.npz', ['--dtype', 'float32']]] as const) {
    const r = await cli(['convert', root, '--out', join(dir, out), ...common, ...extra]);
    assert.equal(r.code, 0, r.stderr);
  }
  const archives = (prefix: string) => readdir(dir).then((names) => names.filter((n) => n.startsWith(`${prefix}-`) && n.endsWith('.npz')).sort());
  const floats = await archives('f');
  assert.equal(floats.length, 5, `19 images: 15 train rows in 4 shards of 4, 4 val rows in 1 (${floats.join(', ')})`);
  for (const prefix of ['u', 'c']) {
    const names = await archives(prefix);
    assert.deepEqual(names, floats.map((n) => `${prefix}${n.slice(1)}`));
    const results = await py<Compared[]>(compare, names.flatMap((n, i) => [join(dir, n), join(dir, floats[i])]));
    for (const r of results) {
      assert.equal(r.bad, null, `${r.file}: the CRC combined from the rows' own checks out`);
      assert.equal(r.dtype, 'uint8');
      assert.equal(r.same, true, `${r.file}: x equals the float32 run's`);
    }
    assert.equal(results.reduce((n, r) => n + r.rows, 0), 19);
    // The manifest's statistics (from the threads' sums) are NumPy's over each output's rows.
    const manifest = JSON.parse(await readFile(join(dir, `${prefix}.manifest.json`), 'utf8')) as { outputs: { subset: string; files: string[]; stats?: { mean: number[]; std: number[] } }[] };
    assert.deepEqual(manifest.outputs.map((o) => o.subset).sort(), ['train', 'val']);
    const numpy = await py<{ mean: number[]; std: number[] }[]>(`
import sys, json, numpy as np
out = []
for group in sys.argv[1:]:
    x = np.concatenate([np.load(f, allow_pickle=False)['x'] for f in group.split(',')]).reshape(-1, 3).astype(np.float64)
    out.append({'mean': x.mean(axis=0).tolist(), 'std': x.std(axis=0).tolist()})
print(json.dumps(out))`, manifest.outputs.map((o) => o.files.join(',')));
    manifest.outputs.forEach((o, i) => {
      assert.ok(o.stats, `${prefix} ${o.subset}: the manifest gives channel statistics`);
      for (const key of ['mean', 'std'] as const) {
        o.stats![key].forEach((v, k) => assert.ok(Math.abs(v - numpy[i][key][k]) < 1e-9, `${prefix} ${o.subset}: ${key} ${v} against NumPy's ${numpy[i][key][k]}`));
      }
    });
  }
});
