/**
 * x is streamed straight into each .npz (no staged x.npy copied in at the end): every archive a
 * conversion writes, stored or --compress, split and sharded, with labels, paths and the extra
 * columns of a metadata.csv, holds exactly the arrays the folder-of-.npy output holds, and
 * passes zipfile's CRC check.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const makeDataset = `
import os, sys, numpy as np
from PIL import Image
base = sys.argv[1]
rng = np.random.default_rng(11)
rows = ['file_name,label,weight,note']
for i in range(23):
    rel = f'images/{i:02d}.png'
    os.makedirs(os.path.join(base, 'images'), exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (9 + i % 4, 7 + i % 3, 3), dtype=np.uint8)).save(os.path.join(base, rel))
    rows.append(f'{rel},{"cat" if i % 3 else "dog"},{i * 0.25},n{i}')
open(os.path.join(base, 'metadata.csv'), 'w').write('\\n'.join(rows) + '\\n')
print('null')`;

/** For each .npz: zipfile.testzip, its arrays, and whether each equals the same-named folder's .npy. */
const compare = `
import os, sys, json, zipfile, numpy as np
out = []
for npz in sys.argv[1:]:
    folder = npz[:-4].replace('/z-', '/f-').replace('/c-', '/f-')
    data = np.load(npz, allow_pickle=False)
    same = {k: bool(np.array_equal(data[k], np.load(os.path.join(folder, k + '.npy'))) and data[k].dtype == np.load(os.path.join(folder, k + '.npy')).dtype) for k in data.files}
    out.append({'file': os.path.basename(npz), 'bad': zipfile.ZipFile(npz).testzip(), 'arrays': sorted(data.files),
        'folder': sorted(f[:-4] for f in os.listdir(folder)), 'same': same, 'rows': int(data['x'].shape[0])})
print(json.dumps(out))`;

interface Compared {
  file: string;
  bad: string | null;
  arrays: string[];
  folder: string[];
  same: Record<string, boolean>;
  rows: number;
}

test('streamed .npz archives (stored and --compress, split, sharded, batches across shard ends) hold the .npy folder output exactly', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await py(makeDataset, [root]);
  const common = ['--size', '6x5', '--validation-split', '0.25', '--seed', '3', '--shard-size', '4', '--batch-size', '3'];
  for (const [out, extra] of [['f-out', []], ['z-out.npz', []], ['c-out.npz', ['--compress']]] as const) {
    const r = await cli(['convert', root, '--out', join(dir, out), ...common, ...extra]);
    assert.equal(r.code, 0, r.stderr);
  }
  const names = (await readdir(dir)).filter((f) => f.endsWith('.npz')).sort();
  // 23 images, a quarter to val: 17 train rows in 5 shards of 4, 6 val rows in 2.
  assert.deepEqual(names.filter((f) => f.startsWith('z-')), [
    ...[0, 1, 2, 3, 4].map((i) => `z-out-train-0000${i}-of-00005.npz`),
    ...[0, 1].map((i) => `z-out-val-0000${i}-of-00002.npz`),
  ]);
  assert.equal(names.filter((f) => f.startsWith('c-')).length, 7);
  const results = await py<Compared[]>(compare, names.map((f) => join(dir, f)));
  for (const r of results) {
    assert.equal(r.bad, null, `${r.file}: every CRC checks out`);
    assert.deepEqual(r.arrays, r.folder, `${r.file}: the same arrays as the .npy folder`);
    assert.ok(r.arrays.includes('weight') && r.arrays.includes('note') && r.arrays.includes('y'), `${r.file}: labels and extra columns present`);
    for (const [k, same] of Object.entries(r.same)) assert.equal(same, true, `${r.file}: ${k} equals the .npy folder's`);
  }
  assert.equal(results.filter((r) => r.file.startsWith('z-')).reduce((n, r) => n + r.rows, 0), 23);
  assert.ok((await readdir(dir)).every((f) => !f.startsWith('.img2npy-')), 'no temporary folder left');
});
