import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { encode, gradient } from '../helpers/fixtures.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

async function makeGradients(root: string): Promise<void> {
  for (const [cls, sizes] of Object.entries({ a: [[9, 7], [12, 5]], b: [[6, 6], [20, 11]] })) {
    await mkdir(join(root, cls), { recursive: true });
    for (const [i, [w, h]] of sizes.entries()) await writeFile(join(root, cls, `${i}.png`), await encode(gradient(w, h), 'png'));
  }
}

const sameX = `
import sys, json, numpy as np
a = np.load(sys.argv[1])['x']; b = np.load(sys.argv[2])['x']
print(json.dumps({'dtype': [a.dtype.str, b.dtype.str], 'equal': a.tobytes() == b.tobytes(), 'shape': list(a.shape), 'min': float(a.min()), 'max': float(a.max())}))
`;

test("--mean/--std on torchvision's 0-1 scale write exactly what --normalize imagenet writes", async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeGradients(root);
  for (const dtype of ['float32', 'float16']) {
    const common = [root, '--size', '8x8', '--dtype', dtype];
    const a = await cli(['convert', ...common, '--normalize', 'imagenet', '--out', join(dir, `imagenet-${dtype}.npz`)]);
    assert.equal(a.code, 0, a.stderr);
    const b = await cli(['convert', ...common, '--mean', '0.485,0.456,0.406', '--std', '0.229,0.224,0.225', '--out', join(dir, `custom-${dtype}.npz`)]);
    assert.equal(b.code, 0, b.stderr);
    const r = await py<{ dtype: string[]; equal: boolean; shape: number[]; min: number; max: number }>(sameX, [join(dir, `imagenet-${dtype}.npz`), join(dir, `custom-${dtype}.npz`)]);
    assert.deepEqual(r.dtype, dtype === 'float32' ? ['<f4', '<f4'] : ['<f2', '<f2']);
    assert.deepEqual(r.shape, [4, 8, 8, 3]);
    assert.ok(r.equal, `${dtype}: x differs`);
    // Normalised values, not 0-255 ones: ImageNet's constants span about -2.1 to 2.6.
    assert.ok(r.min < -1.5 && r.max > 2 && r.max < 2.7, `${r.min}..${r.max}`);
  }
});

test('a mean on the 0-255 scale is refused with exit 2, the values divided by 255, and nothing written', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeGradients(root);
  const out = join(dir, 'out.npz');
  const r = await cli(['convert', root, '--size', '8x8', '--mean', '123.675,116.28,103.53', '--std', '58.395,57.12,57.375', '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /0-1 scale/);
  assert.match(r.stderr, /--mean 0\.485,0\.456,0\.406 --std 0\.229,0\.224,0\.225/);
  assert.deepEqual(await readdir(dir), ['in']);
  const one = await cli(['convert', root, '--size', '8x8', '--mean', '128', '--std', '0.5', '--out', out, '--json']);
  assert.equal(one.code, 2);
  const error = JSON.parse(one.stdout.trim().split('\n').at(-1)!);
  assert.equal(error.type, 'error');
  assert.match(error.error.message, /divided by 255: --mean 0\.501961$/);
});
