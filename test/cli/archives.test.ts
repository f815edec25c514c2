/**
 * Archives read in place: converting ds.zip (stored and deflated), ds.tar gives the arrays
 * converting the unpacked folder gives, byte for byte (NumPy compares x, y, paths, class_names
 * and the extra columns), for class folders, split folders and a metadata.csv inside.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { assertSameArrays } from '../helpers/same-arrays.js';
import { tempDir } from '../helpers/tmp.js';

/** Builds the three trees under argv[1] from noise images (PNG, JPEG, BMP), then archives each three ways. */
const makeDatasets = `
import os, sys, numpy as np, zipfile, tarfile
from PIL import Image
base = sys.argv[1]
rng = np.random.default_rng(7)
def img(rel, w, h, fmt):
    p = os.path.join(base, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(p, fmt)
def text(rel, s):
    p = os.path.join(base, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'w').write(s)
img('classes/cat/b.png', 9, 7, 'PNG'); img('classes/cat/a/x.jpg', 12, 10, 'JPEG'); img('classes/cat/a b.png', 6, 6, 'PNG')
img('classes/dog/1.bmp', 5, 6, 'BMP'); img('classes/dog/.hidden.png', 5, 6, 'PNG'); text('classes/notes.txt', 'not an image')
img('splits/train/cat/1.png', 8, 8, 'PNG'); img('splits/train/dog/2.jpg', 16, 9, 'JPEG'); img('splits/test/dog/3.png', 7, 5, 'PNG')
img('meta/images/a.png', 10, 4, 'PNG'); img('meta/images/b.jpg', 11, 13, 'JPEG'); img('meta/c.png', 3, 3, 'PNG')
text('meta/metadata.csv', 'file_name,label,weight\\nimages/a.png,yes,0.5\\nimages/b.jpg,no,1.25\\nc.png,yes,2\\n')
for name in ['classes', 'splits', 'meta']:
    files = []
    for d, dirs, fs in os.walk(os.path.join(base, name)):
        dirs.sort()
        for f in sorted(fs):
            files.append(os.path.relpath(os.path.join(d, f), base))
    for kind, method in [('stored', zipfile.ZIP_STORED), ('deflated', zipfile.ZIP_DEFLATED)]:
        with zipfile.ZipFile(os.path.join(base, f'{name}-{kind}.zip'), 'w', method) as z:
            z.writestr(name + '/', '')
            for f in files: z.write(os.path.join(base, f), f)
    with tarfile.open(os.path.join(base, f'{name}.tar'), 'w', format=tarfile.PAX_FORMAT) as t:
        t.add(os.path.join(base, name), arcname='./' + name)
print('null')
`;

async function convertBoth(dir: string, name: string, extra: string[], outputs: (stem: string) => string[]): Promise<void> {
  const inputs = [join(dir, name), join(dir, `${name}-stored.zip`), join(dir, `${name}-deflated.zip`), join(dir, `${name}.tar`)];
  for (const [i, input] of inputs.entries()) {
    const r = await cli(['convert', input, '--out', join(dir, `out-${name}-${i}.npz`), '--jobs', '1', ...extra]);
    assert.equal(r.code, 0, `${input}: ${r.stderr}`);
    if (i > 0) assert.match(r.stderr, /Reading the archive .* in place \(nothing is unpacked\); its only top folder .* is the input folder/);
  }
  for (const ref of outputs(`out-${name}-0`)) {
    const others = [1, 2, 3].map((i) => join(dir, ref.replace(`out-${name}-0`, `out-${name}-${i}`)));
    await assertSameArrays(join(dir, ref), others);
  }
}

test('zip (stored, deflated) and tar convert to the same arrays as the unpacked folder: class folders, split folders, metadata.csv', async (t) => {
  const dir = await tempDir(t);
  await py(makeDatasets, [dir]);
  await convertBoth(dir, 'classes', ['--size', '8x8'], (stem) => [`${stem}.npz`]);
  await convertBoth(dir, 'splits', ['--size', '6x6', '--resize', 'crop'], (stem) => [`${stem}-train.npz`, `${stem}-test.npz`]);
  await convertBoth(dir, 'meta', ['--size', '5x7', '--color', 'grayscale'], (stem) => [`${stem}.npz`]);
  // Padding to the largest reads every member's header from the archive too.
  await convertBoth(dir, 'classes', ['--resize', 'none', '--overwrite'], (stem) => [`${stem}.npz`]);
  assert.ok((await readdir(dir)).every((f) => !f.startsWith('.img2npy-')), 'nothing unpacked or left behind');
});

test('img2npy scan ds.zip reports the layout with the archive; a .tar.gz made by Python converts in place', async (t) => {
  const dir = await tempDir(t);
  await py(makeDatasets, [dir]);
  const zip = join(dir, 'splits-deflated.zip');
  const r = await cli(['scan', zip, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]) as { data: { summary: { layout: { kind: string; archive: string; splits: { name: string; total: number }[] } } } };
  const layout = report.data.summary.layout;
  assert.equal(layout.archive, zip);
  assert.equal(layout.kind, 'split-folders');
  assert.deepEqual(layout.splits.map((s) => [s.name, s.total]), [['train', 2], ['test', 1]]);

  const gz = join(dir, 'ds.tar.gz');
  await py(`import tarfile, sys\nwith tarfile.open(sys.argv[1], 'w:gz') as t: t.add(sys.argv[2], arcname='classes')\nprint('null')`, [gz, join(dir, 'classes')]);
  const g = await cli(['convert', gz, '--out', join(dir, 'gz.npz'), '--size', '4x4']);
  assert.equal(g.code, 0, g.stderr);
  assert.match(g.stderr, /Reading the archive .*ds\.tar\.gz in place/);
});
