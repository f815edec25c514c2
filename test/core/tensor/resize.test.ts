import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadBackend } from '../../../src/core/tensor/backend.js';
import { bilinearTaps, kerasCropBox, kerasPadToAspectBox, nearestIndices, tfResizeWithPadBox } from '../../../src/core/tensor/resize.js';
import { createTensorStage, type TensorPlan } from '../../../src/core/tensor/stage.js';
import type { DecodedImage } from '../../../src/core/types.js';
import { py } from '../../helpers/python.js';

/**
 * Keras's box formulas restated in NumPy float32, as TensorFlow evaluates them on the dynamic
 * shapes of image_dataset_from_directory (keras/src/utils/image_utils.py smart_resize,
 * tf.image.resize_with_pad, keras/src/backend/tensorflow/image.py pad_to_aspect_ratio).
 */
const boxesPy = `
import numpy as np
f = np.float32
def crop_box(h, w, th, tw):
    ch = max(min(h, int(f(w * th) / f(tw))), 1)
    cw = max(min(w, int(f(h * tw) / f(th))), 1)
    return dict(top=int(f(h - ch) / f(2)), left=int(f(w - cw) / f(2)), height=ch, width=cw)
def pad_box(h, w, th, tw):
    ratio = max(f(w) / f(tw), f(h) / f(th))
    rh, rw = f(h) / ratio, f(w) / ratio
    return dict(top=max(0, int(np.floor((f(th) - rh) / f(2)))), left=max(0, int(np.floor((f(tw) - rw) / f(2)))),
                height=int(np.floor(rh)), width=int(np.floor(rw)))
def pad_aspect(h, w, th, tw):
    ph = max(h, int(f(w * th) / f(tw)))
    pw = max(w, int(f(h * tw) / f(th)))
    t, l = int(f(ph - h) / f(2)), int(f(pw - w) / f(2))
    return dict(top=t, bottom=t, left=l, right=l)
`;

const sides = [1, 2, 3, 5, 17, 53, 97, 223, 224, 225, 241, 300, 317, 333, 375, 480, 500, 640, 1000, 1023, 4000];
const targets: [number, number][] = [[224, 224], [256, 256], [180, 320], [299, 299], [1, 1], [7, 1000], [64, 48]];

test('crop, resize-with-pad and pad-to-aspect boxes equal a NumPy float32 restatement of Keras', async () => {
  const grid = sides.flatMap((h) => sides.flatMap((w) => targets.map(([th, tw]) => [h, w, th, tw])));
  const want = await py<Record<string, object>[]>(
    `import sys, json\n${boxesPy}\nprint(json.dumps([dict(crop=crop_box(*g), pad=pad_box(*g), aspect=pad_aspect(*g)) for g in json.loads(sys.argv[1])]))`,
    [JSON.stringify(grid)],
  );
  grid.forEach(([h, w, th, tw], i) => {
    const label = `${h}x${w} → ${th}x${tw}`;
    assert.deepEqual(kerasCropBox(h, w, th, tw), want[i].crop, `crop ${label}`);
    // Keras fails where a side floors to 0; we use 1 there.
    const pad = want[i].pad as { height: number; width: number };
    assert.deepEqual(tfResizeWithPadBox(h, w, th, tw), { ...pad, height: Math.max(1, pad.height), width: Math.max(1, pad.width) }, `pad ${label}`);
    assert.deepEqual(kerasPadToAspectBox(h, w, th, tw), want[i].aspect, `aspect ${label}`);
  });
});

test('float32 box arithmetic: 300x333 into 224x224 resizes to 223 wide, as TensorFlow does', () => {
  assert.deepEqual(tfResizeWithPadBox(300, 333, 224, 224), { top: 11, left: 0, height: 201, width: 223 });
});

test('nearest source indices follow half-pixel centres with floor, clamped', () => {
  assert.deepEqual([...nearestIndices(4, 7)], [0, 0, 1, 2, 2, 3, 3]);
  assert.deepEqual([...nearestIndices(7, 3)], [1, 3, 5]);
  assert.deepEqual([...nearestIndices(1, 3)], [0, 0, 0]);
});

test('bilinear taps: half-pixel sample points, clamped at both edges', () => {
  const taps = bilinearTaps(2, 4);
  assert.deepEqual([...taps.lower], [0, 0, 0, 1]);
  assert.deepEqual([...taps.upper], [0, 1, 1, 1]);
  assert.deepEqual([...taps.lerp], [0.75, 0.25, 0.75, 0.25]);
});

/** Photo-like pixels: gradients, a sinusoid and noise, through a real JPEG (or PNG for alpha) round trip. */
async function photo(height: number, width: number, channels: 1 | 3 | 4, seed: number): Promise<DecodedImage> {
  const raw = Buffer.alloc(height * width * 4);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const noise = (s >>> 24) - 128;
      const i = (y * width + x) * 4;
      raw[i] = Math.max(0, Math.min(255, (255 * x) / width + noise * 0.3));
      raw[i + 1] = Math.max(0, Math.min(255, (255 * y) / height + 60 * Math.sin(x / 7 + y / 11)));
      raw[i + 2] = Math.max(0, Math.min(255, 128 + noise));
      raw[i + 3] = (x * 3 + y * 5) & 255;
    }
  }
  const img = sharp(raw, { raw: { width, height, channels: 4 } });
  const encoded = channels === 4 ? await img.png().toBuffer() : await img.removeAlpha().jpeg({ quality: 90 }).toBuffer();
  let decoder = sharp(encoded);
  if (channels === 1) decoder = decoder.toColourspace('b-w');
  const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, channels);
  return { data: new Uint8Array(data), height: info.height, width: info.width, channels };
}

interface Case {
  from: [number, number];
  to: [number, number];
  channels: 1 | 3 | 4;
  method: 'bilinear' | 'nearest';
  aspect: 'stretch' | 'crop' | 'pad';
  dtype?: 'uint8';
}

const resizeCases: Case[] = [
  { from: [375, 500], to: [224, 224], channels: 3, method: 'bilinear', aspect: 'stretch' },
  { from: [53, 97], to: [224, 224], channels: 3, method: 'bilinear', aspect: 'stretch' },
  { from: [241, 317], to: [180, 320], channels: 3, method: 'bilinear', aspect: 'crop' },
  { from: [375, 500], to: [224, 224], channels: 3, method: 'bilinear', aspect: 'pad' },
  { from: [300, 333], to: [224, 224], channels: 1, method: 'bilinear', aspect: 'pad' },
  { from: [131, 77], to: [100, 150], channels: 4, method: 'bilinear', aspect: 'crop' },
  { from: [375, 500], to: [224, 224], channels: 3, method: 'nearest', aspect: 'stretch' },
  { from: [97, 53], to: [64, 64], channels: 1, method: 'nearest', aspect: 'crop' },
  { from: [131, 77], to: [100, 150], channels: 4, method: 'nearest', aspect: 'pad', dtype: 'uint8' },
  { from: [1000, 999], to: [7, 9], channels: 3, method: 'nearest', aspect: 'stretch', dtype: 'uint8' },
];

/**
 * Two referees for pixels, given the same crop/pad boxes: PyTorch (bilinear align_corners=False
 * antialias=False; nearest-exact), independent code with TensorFlow's sampling but its own
 * float32 formula; and TensorFlow's ResizeBilinear CPU kernel restated in NumPy float32 (every
 * operation rounds to float32, as in its C++), which our output must equal bit for bit.
 */
const referenceResize = `import sys, json, numpy as np
${boxesPy}
engine = sys.argv[3]
def tf_taps(n_in, n_out):
    src = (np.arange(n_out, dtype=f) + f(0.5)) * (f(n_in) / f(n_out)) - f(0.5)
    fl = np.floor(src)
    return np.maximum(fl, 0).astype(np.int64), np.minimum(np.ceil(src), n_in - 1).astype(np.int64), src - fl
def resize(img, size, method):
    if engine == 'tf':
        assert method == 'bilinear'
        (yl, yu, ly), (xl, xu, lx) = tf_taps(img.shape[0], size[0]), tf_taps(img.shape[1], size[1])
        lx, ly = lx[None, :, None], ly[:, None, None]
        top, bottom = img[yl], img[yu]
        t = top[:, xl] + (top[:, xu] - top[:, xl]) * lx
        b = bottom[:, xl] + (bottom[:, xu] - bottom[:, xl]) * lx
        return t + (b - t) * ly
    import torch
    import torch.nn.functional as F
    t = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]
    if method == 'bilinear': r = F.interpolate(t, size=size, mode='bilinear', align_corners=False, antialias=False)
    else: r = F.interpolate(t, size=size, mode='nearest-exact')
    return r[0].numpy().transpose(1, 2, 0)
for i, c in enumerate(json.loads(sys.argv[1])):
    if engine == 'tf' and c['method'] != 'bilinear': continue
    (h, w), (th, tw), ch = c['from'], c['to'], c['channels']
    x = np.fromfile(f'{sys.argv[2]}/{i}.u8', dtype=np.uint8).reshape(h, w, ch).astype(np.float32)
    if c['aspect'] == 'crop':
        b = crop_box(h, w, th, tw); y = resize(x[b['top']:b['top'] + b['height'], b['left']:b['left'] + b['width']], (th, tw), c['method'])
    elif c['aspect'] == 'pad':
        b = pad_box(h, w, th, tw); r = resize(x, (b['height'], b['width']), c['method'])
        y = np.pad(r, ((b['top'], th - b['top'] - b['height']), (b['left'], tw - b['left'] - b['width']), (0, 0)))
    else: y = resize(x, (th, tw), c['method'])
    assert y.dtype == np.float32
    y = np.ascontiguousarray(y)
    (y.astype(np.uint8) if c.get('dtype') == 'uint8' else y).tofile(f'{sys.argv[2]}/{i}.{engine}')
print(json.dumps(True))`;

interface References {
  images: DecodedImage[];
  dir: string;
  /** Why the PyTorch results are missing, or null when they are there. */
  noTorch: string | null;
}

/** Images and their reference results for all cases, made once (importing torch takes seconds). */
let references: Promise<References> | undefined;
let referenceDir: string | undefined;
after(() => (referenceDir ? rm(referenceDir, { recursive: true, force: true }) : undefined));
function referencesOnce(): Promise<References> {
  references ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2npy-resize-'));
    referenceDir = dir;
    const images = await Promise.all(resizeCases.map((c) => photo(c.from[0], c.from[1], c.channels, c.from[0] * 31 + c.to[1])));
    await Promise.all(images.map((img, i) => writeFile(join(dir, `${i}.u8`), img.data)));
    await py(referenceResize, [JSON.stringify(resizeCases), dir, 'tf']);
    let noTorch: string | null = null;
    try {
      await py('import torch; print(1)');
      await py(referenceResize, [JSON.stringify(resizeCases), dir, 'torch']);
    } catch {
      noTorch = 'python3-torch is not installed (apt-get install -y python3-torch); skipping the PyTorch comparison';
    }
    return { images, dir, noTorch };
  })();
  return references;
}

function planFor(c: Case): TensorPlan {
  return {
    height: c.to[0], width: c.to[1], channels: c.channels, dtype: c.dtype ?? 'float32', normalize: 'none', mean: null, std: null,
    layout: 'nhwc', resize: { method: c.method, aspect: c.aspect },
  };
}

const caseName = (c: Case) => `${c.method} ${c.aspect} ${c.from.join('x')}x${c.channels} → ${c.to.join('x')}${c.dtype ? ' uint8' : ''}`;
const floats = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.length / 4);

resizeCases.forEach((c, i) => {
  test(`Keras ${caseName(c)} matches PyTorch on wasm and cpu`, async (t) => {
    const ref = await referencesOnce();
    if (ref.noTorch) return t.skip(ref.noTorch);
    const wantBytes = new Uint8Array(await readFile(join(ref.dir, `${i}.torch`)));
    const outputs: Float32Array[] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      const got = await createTensorStage(await loadBackend(backend), planFor(c)).processBatch([ref.images[i]]);
      if (c.dtype === 'uint8') {
        assert.ok(Buffer.from(got).equals(Buffer.from(wantBytes)), `${backend}: uint8 nearest must be exact`);
        continue;
      }
      const ours = floats(got);
      const want = floats(wantBytes);
      assert.equal(ours.length, want.length);
      const worst = ours.reduce((m, v, j) => Math.max(m, Math.abs(v - want[j])), 0);
      t.diagnostic(`${backend}: max |Δ| vs PyTorch ${worst}`);
      assert.ok(worst <= (c.method === 'nearest' ? 0 : 0.01), `${backend}: max |Δ| vs PyTorch ${worst}`);
      outputs.push(ours);
    }
    if (outputs.length === 2) {
      const apart = outputs[0].reduce((m, v, j) => Math.max(m, Math.abs(v - outputs[1][j])), 0);
      assert.ok(apart <= 1e-4, `wasm and cpu differ by ${apart}`);
    }
  });
  if (c.method !== 'bilinear') return;
  test(`Keras ${caseName(c)} equals TensorFlow's bilinear kernel (NumPy float32 restatement) bit for bit`, async () => {
    const ref = await referencesOnce();
    const want = new Uint8Array(await readFile(join(ref.dir, `${i}.tf`)));
    for (const backend of ['wasm', 'cpu'] as const) {
      const got = await createTensorStage(await loadBackend(backend), planFor(c)).processBatch([ref.images[i]]);
      const ours = floats(got);
      const theirs = floats(want);
      const differing = ours.filter((v, j) => v !== theirs[j]).length;
      assert.equal(differing, 0, `${backend}: ${differing} of ${ours.length} values differ`);
    }
  });
});

test('uint8 output of a bilinear resize rounds half to even on both backends', async () => {
  // [0, 2] upscaled to 4 columns samples 0, 0.5, 1.5, 2: the ties go to 0 and 2.
  const img: DecodedImage = { data: Uint8Array.from([0, 2]), height: 1, width: 2, channels: 1 };
  const plan: TensorPlan = {
    height: 1, width: 4, channels: 1, dtype: 'uint8', normalize: 'none', mean: null, std: null, layout: 'nhwc',
    resize: { method: 'bilinear', aspect: 'stretch' },
  };
  for (const backend of ['wasm', 'cpu'] as const) {
    assert.deepEqual([...(await createTensorStage(await loadBackend(backend), plan).processBatch([img]))], [0, 0, 2, 2], backend);
  }
});

test('Keras mode takes a batch of different sizes and normalizes after the resize (pad zeros included)', async () => {
  const plan: TensorPlan = {
    height: 4, width: 4, channels: 3, dtype: 'float32', normalize: 'symmetric', mean: null, std: null, layout: 'nchw',
    resize: { method: 'nearest', aspect: 'pad' },
  };
  const white = (h: number, w: number): DecodedImage => ({ data: new Uint8Array(h * w * 3).fill(255), height: h, width: w, channels: 3 });
  const got = await createTensorStage(await loadBackend('wasm'), plan).processBatch([white(2, 4), white(9, 9)]);
  const x = new Float32Array(got.buffer, got.byteOffset, got.length / 4);
  // 2x4 into 4x4: rows 1-2 are the image (1.0), rows 0 and 3 the zero padding (-1.0 after x/127.5-1).
  assert.deepEqual([...x.subarray(0, 16)], [-1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1]);
  assert.ok(x.subarray(48).every((v) => v === 1));
});
