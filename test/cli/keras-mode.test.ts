/**
 * `--like keras` end to end, against independent references: a Python re-statement of Keras's
 * discovery + `np.random.RandomState(seed).shuffle` + split for the order, and PyTorch's
 * `interpolate(bilinear, align_corners=False, antialias=False)` (the same function as TF2's
 * bilinear resize) on PIL-decoded pixels for the values.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { cli } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const hasTorch = await py<boolean>('import json, importlib.util; print(json.dumps(importlib.util.find_spec("torch") is not None))');

/** Photo-like content: smooth gradients plus texture, at odd sizes, as lossless PNG. */
async function photoLike(path: string, w: number, h: number, seed: number): Promise<void> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = ((x * 7919 + y * 104729 + seed * 31) * 2654435761) >>> 27;
      const i = (y * w + x) * 3;
      data[i] = (x * 255) / w + n;
      data[i + 1] = (y * 255) / h - n;
      data[i + 2] = 128 + 100 * Math.sin((x + y + seed) / 5);
    }
  }
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

async function makeKerasFolder(root: string): Promise<void> {
  const layout: Record<string, string[]> = {
    Zebra: ['b.png', 'A.png', 'sub/c.PNG', '.hidden.png'],
    apple: ['10.png', '9.png', 'é.png', 'notes.txt', 'x.webp'],
    'Ünïcode': ['z.jpg.png', 'nested/deeper/q.png'],
    '.hiddenclass': ['h.png'],
  };
  let seed = 0;
  for (const [cls, files] of Object.entries(layout)) {
    for (const f of files) {
      const path = join(root, cls, f);
      await mkdir(join(path, '..'), { recursive: true });
      if (f.endsWith('.txt') || f.endsWith('.webp')) await writeFile(path, 'not taken by keras');
      else await photoLike(path, 23 + 7 * (seed % 5), 17 + 11 * (seed % 3), seed);
      seed++;
    }
  }
}

const reference = `
import os, sys, json
import numpy as np
root, seed, split = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
formats = ('.bmp', '.gif', '.jpeg', '.jpg', '.png')
classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and not d.startswith('.'))
paths, labels = [], []
for i, c in enumerate(classes):
    top = os.path.join(root, c)
    for r, _, files in sorted(os.walk(top), key=lambda x: x[0]):
        for f in sorted(files):
            if f.lower().endswith(formats):
                paths.append(os.path.relpath(os.path.join(r, f), root))
                labels.append(i)
rng = np.random.RandomState(seed); rng.shuffle(paths)
rng = np.random.RandomState(seed); rng.shuffle(labels)
n = int(split * len(paths))
print(json.dumps({'classes': classes, 'train': [paths[:-n], labels[:-n]], 'val': [paths[-n:], labels[-n:]]}))
`;

const compare = `
import sys, json
import numpy as np
from PIL import Image
import torch
import torch.nn.functional as F
root, npz, h, w, mode, aspect = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
d = np.load(npz, allow_pickle=False)
worst = 0.0
for i, p in enumerate(d['paths'].tolist()):
    img = np.asarray(Image.open(root + '/' + p).convert('RGB'), dtype=np.float32)
    H, W = img.shape[:2]
    if aspect == 'crop':  # Keras smart_resize's crop box
        ch = min(H, int(float(W * h) / w)); cw = min(W, int(float(H * w) / h))
        y0 = int(float(H - ch) / 2); x0 = int(float(W - cw) / 2)
        img = img[y0:y0 + ch, x0:x0 + cw]
    elif aspect == 'pad':  # tf.image.resize_with_pad (image_dataset_from_directory, format 'tf'), float32 maths
        f32 = np.float32
        ratio = max(f32(W) / f32(w), f32(H) / f32(h))
        rh, rw = f32(H) / ratio, f32(W) / ratio
        top, left = max(0, int(np.floor((f32(h) - rh) / f32(2)))), max(0, int(np.floor((f32(w) - rw) / f32(2))))
        t = torch.from_numpy(img).permute(2, 0, 1)[None]
        kw = dict(mode='bilinear', align_corners=False, antialias=False) if mode == 'bilinear' else dict(mode='nearest-exact')
        small = F.interpolate(t, size=(int(np.floor(rh)), int(np.floor(rw))), **kw)
        ref = np.zeros((h, w, 3), np.float32)
        ref[top:top + small.shape[2], left:left + small.shape[3]] = small[0].permute(1, 2, 0).numpy()
        worst = max(worst, float(np.abs(ref - d['x'][i].astype(np.float32)).max()))
        continue
    t = torch.from_numpy(img).permute(2, 0, 1)[None]
    if mode == 'bilinear':
        ref = F.interpolate(t, size=(h, w), mode='bilinear', align_corners=False, antialias=False)
    else:
        ref = F.interpolate(t, size=(h, w), mode='nearest-exact')
    ref = ref[0].permute(1, 2, 0).numpy()
    worst = max(worst, float(np.abs(ref - d['x'][i].astype(np.float32)).max()))
print(json.dumps({'worst': worst, 'dtype': d['x'].dtype.str, 'shape': list(d['x'].shape)}))
`;

test('--like keras: paths, labels, class_names and the split equal the Keras reference', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeKerasFolder(root);
  for (const [seed, split] of [[123, 0.2], [7, 0.5], [2024, 0.34]] as const) {
    const out = join(dir, `k${seed}.npz`);
    const r = await cli(['convert', root, '--like', 'keras', '--size', '12x10', '--seed', String(seed), '--validation-split', String(split), '--subset', 'both', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const ref = await py<{ classes: string[]; train: [string[], number[]]; val: [string[], number[]] }>(reference, [root, String(seed), String(split)]);
    for (const [subset, [paths, labels]] of [['train', ref.train], ['val', ref.val]] as const) {
      const got = await py<{ paths: string[]; y: number[]; classes: string[]; dtype: string }>(
        `import sys, json, numpy as np
d = np.load(sys.argv[1], allow_pickle=False)
print(json.dumps({'paths': d['paths'].tolist(), 'y': d['y'].tolist(), 'classes': d['class_names'].tolist(), 'dtype': d['x'].dtype.str}))`,
        [join(dir, `k${seed}-${subset}.npz`)],
      );
      assert.deepEqual(got.paths, paths, `${subset} paths, seed ${seed}`);
      assert.deepEqual(got.y, labels, `${subset} labels, seed ${seed}`);
      assert.deepEqual(got.classes, ref.classes);
      assert.equal(got.dtype, '<f4');
    }
  }
});

test('--like keras pixels (stretch, crop and pad to aspect) equal PyTorch bilinear (no antialias) within 0.01, nearest exactly', { skip: hasTorch ? false : 'python3-torch is not installed (apt-get install python3-torch)' }, async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeKerasFolder(root);
  const cases = [[12, 10, 'bilinear', 'stretch'], [41, 57, 'bilinear', 'stretch'], [9, 30, 'nearest', 'stretch'], [15, 15, 'bilinear', 'crop'], [20, 9, 'bilinear', 'pad'], [8, 13, 'nearest', 'crop']] as const;
  for (const [h, w, interpolation, aspect] of cases) {
    const out = join(dir, `p${h}x${w}${interpolation}${aspect}.npz`);
    const r = await cli(['convert', root, '--like', 'keras', '--size', `${h}x${w}`, '--seed', '1', '--interpolation', interpolation, '--resize', aspect, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const cmp = await py<{ worst: number; dtype: string; shape: number[] }>(compare, [root, out, String(h), String(w), interpolation, aspect]);
    assert.equal(cmp.dtype, '<f4');
    assert.deepEqual(cmp.shape.slice(1), [h, w, 3]);
    if (interpolation === 'nearest') assert.equal(cmp.worst, 0, `${h}x${w} nearest ${aspect}`);
    else assert.ok(cmp.worst <= 0.01, `${h}x${w} bilinear ${aspect} max |Δ| ${cmp.worst}`);
  }
});
