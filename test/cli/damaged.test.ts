import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliProcess } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * cls/ holds two photo-like JPEGs and corrupt.jpg: the first one cut to 60 % that still ends in
 * an EOI marker, which libjpeg decodes only with "premature end of data segment".
 */
async function damagedFolder(root: string): Promise<string> {
  const input = join(root, 'in');
  const [first] = await py<string[]>(`
import sys, json, os
from PIL import Image, ImageFilter
os.makedirs(f'{sys.argv[1]}/cls')
out = []
for i, (w, h) in enumerate([(500, 375), (333, 480)]):
    im = Image.effect_noise((w, h), 60).convert('RGB').filter(ImageFilter.GaussianBlur(1.5))
    path = f'{sys.argv[1]}/cls/good{i}.jpg'
    im.save(path, quality=90)
    out.append(path)
print(json.dumps(out))`, [input]);
  const whole = await readFile(first);
  await writeFile(join(input, 'cls', 'corrupt.jpg'), Buffer.concat([whole.subarray(0, Math.floor(whole.length * 0.6)), Buffer.from([0xff, 0xd9])]));
  return input;
}

interface Manifest {
  skipped: { file: string; code: string; reason: string }[];
  damaged: { file: string; reason: string }[];
}

/** x's row count and the paths array of an .npz, read by NumPy. */
async function npz(path: string): Promise<{ rows: number; paths: string[] }> {
  return py(`
import sys, json, numpy as np
z = np.load(sys.argv[1])
print(json.dumps({'rows': int(z['x'].shape[0]), 'paths': [str(p) for p in z['paths']]}))`, [path]);
}

/**
 * libjpeg's words; on the sharp path a decode running at the same time may take them (libvips
 * keeps warnings in one queue per process), leaving the plain description.
 */
const corruptWords = /premature end of data segment|libjpeg warned of corrupt data/i;

for (const [decoder, env] of [
  ['TurboJPEG', {}],
  ['sharp (IMG2NPY_NO_TURBOJPEG=1)', { IMG2NPY_NO_TURBOJPEG: '1' }],
] as const) {
  test(`a damaged JPEG is skipped as damaged-image, and kept and listed as damaged with --allow-damaged: ${decoder}`, async (t) => {
    const dir = await tempDir(t);
    const input = await damagedFolder(dir);

    const strict = await cliProcess(['convert', input, '--out', join(dir, 'strict.npz'), '--size', '64x64'], env);
    assert.equal(strict.code, 0, strict.stderr);
    const strictManifest = JSON.parse(await readFile(join(dir, 'strict.manifest.json'), 'utf8')) as Manifest;
    const skipped = strictManifest.skipped.find((s) => s.file === 'cls/corrupt.jpg');
    assert.equal(skipped?.code, 'damaged-image', JSON.stringify(strictManifest.skipped));
    assert.match(skipped!.reason, corruptWords);
    assert.match(skipped!.reason, /--allow-damaged keeps what can be decoded/);
    assert.deepEqual(strictManifest.damaged, []);
    assert.deepEqual((await npz(join(dir, 'strict.npz'))).paths, ['cls/good0.jpg', 'cls/good1.jpg']);

    for (const mode of [[], ['--like', 'keras']]) {
      const name = mode.length ? 'keras' : 'kept';
      const kept = await cliProcess(['convert', input, '--out', join(dir, `${name}.npz`), '--size', '64x64', '--allow-damaged', ...mode], env);
      assert.equal(kept.code, 0, kept.stderr);
      const arrays = await npz(join(dir, `${name}.npz`));
      assert.equal(arrays.rows, 3);
      // Keras mode shuffles: the set of rows is what counts.
      assert.deepEqual([...arrays.paths].sort(), ['cls/corrupt.jpg', 'cls/good0.jpg', 'cls/good1.jpg']);
      const manifest = JSON.parse(await readFile(join(dir, `${name}.manifest.json`), 'utf8')) as Manifest;
      assert.deepEqual(manifest.skipped, []);
      assert.deepEqual(manifest.damaged.map((d) => d.file), ['cls/corrupt.jpg'], name);
      assert.match(manifest.damaged[0].reason, corruptWords);
      assert.match(kept.stdout, /^Kept 1 damaged file\(s\) \(--allow-damaged; listed in the manifest\):\n {2}cls\/corrupt\.jpg: /m);
      assert.ok(kept.stdout.includes(`  cls/corrupt.jpg: ${manifest.damaged[0].reason}\n`));
    }
  });
}
