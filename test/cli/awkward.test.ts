import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { makeAwkwardFolder } from '../helpers/fixtures.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

for (const resize of ['none', 'stretch'] as const) {
  test(`every awkward input is decoded correctly or skipped with its reason (--resize ${resize})`, async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'in');
    const set = await makeAwkwardFolder(root);
    const out = join(dir, 'o.npz');
    const geometry = resize === 'none' ? ['--resize', 'none', '--pad-position', 'top-left'] : ['--size', '4x4', '--interpolation', 'nearest'];
    const r = await cli(['convert', root, '--out', out, ...geometry]);
    assert.equal(r.code, 0, r.stderr);
    const got = await py<{ paths: string[]; tl: number[][]; shape: number[] }>(
      `import sys, json, numpy as np
d = np.load(sys.argv[1], allow_pickle=False)
print(json.dumps({'paths': d['paths'].tolist(), 'tl': d['x'][:, 0, 0].tolist(), 'shape': list(d['x'].shape)}))`,
      [out],
    );
    const manifest = JSON.parse(await readFile(join(dir, 'o.manifest.json'), 'utf8'));
    const skipped = new Map<string, { code: string; reason: string }>(manifest.skipped.map((s: { file: string; code: string; reason: string }) => [s.file, s]));
    for (const [name, fx] of Object.entries(set)) {
      if (fx.expect === 'skip') {
        const s = skipped.get(fx.rel);
        assert.ok(s, `${name} should be skipped`);
        assert.equal(s.code, fx.code, name);
        assert.match(s.reason, fx.message, name);
        assert.ok(!got.paths.includes(fx.rel), `${name} must not be in paths`);
        assert.match(r.stdout, new RegExp(`${fx.rel.replace('.', '\\.')}: `), `${name} listed on screen`);
      } else {
        const i = got.paths.indexOf(fx.rel);
        assert.ok(i >= 0, `${name} missing from paths (skipped: ${skipped.get(fx.rel)?.reason})`);
        // Nearest downscale of the top-left region keeps the top-left colour only for uniform corners.
        if (resize === 'none') {
          for (let c = 0; c < 3; c++) assert.ok(Math.abs(got.tl[i][c] - fx.topLeft[c]) <= fx.tolerance + 1, `${name}: ${got.tl[i]} vs ${fx.topLeft}`);
        }
      }
    }
    if (resize === 'none') {
      const okSizes = Object.values(set).filter((f) => f.expect === 'ok') as { width: number; height: number }[];
      assert.deepEqual(got.shape, [got.paths.length, Math.max(...okSizes.map((f) => f.height)), Math.max(...okSizes.map((f) => f.width)), 3]);
    }
  });
}

test('--strict makes the first bad file fatal: exit 2 (an input error, as the README says), no output', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeAwkwardFolder(root);
  const r = await cli(['convert', root, '--out', join(dir, 'o.npz'), '--size', '4x4', '--strict']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /awkward\/\S+/);
  const left = await py<string[]>('import os, sys, json; print(json.dumps(os.listdir(sys.argv[1])))', [dir]);
  assert.deepEqual(left, ['in']);
});
