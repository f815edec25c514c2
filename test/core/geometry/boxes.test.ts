import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage } from '../../../src/core/decode/image.js';
import { cropToAspectBox, fitInside, padOffsets, padToAspectBox } from '../../../src/core/geometry/boxes.js';
import { padToCanvas, placeOnCanvas } from '../../../src/core/geometry/pad-canvas.js';
import type { DecodedImage, DecodePlan } from '../../../src/core/types.js';
import { type Pixels, encode, encodePng, gradient, halves, solid } from '../../helpers/fixtures.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

// Keras/TensorFlow's box arithmetic restated in NumPy float32, line for line with
// keras/src/backend/tensorflow/image.py (resize: crop_to_aspect_ratio, pad_to_aspect_ratio),
// keras/src/utils/image_utils.py (smart_resize, graph branch) and
// tensorflow/python/ops/image_ops_impl.py (_resize_image_with_pad_common).
const referee = `
import sys, json, math
import numpy as np
f = np.float32
def i32(v): return int(v)  # tf.cast(float32 -> int32) truncates toward zero
out = []
for sh, sw, th, tw in json.load(open(sys.argv[1])):
    ch = max(min(sh, i32(f(sw * th) / f(tw))), 1)
    cw = max(min(sw, i32(f(sh * tw) / f(th))), 1)
    crop = [i32(f(sh - ch) / f(2)), i32(f(sw - cw) / f(2)), ch, cw]
    ph = max(sh, i32(f(sw * th) / f(tw)))
    pw = max(sw, i32(f(sh * tw) / f(th)))
    t, l = i32(f(ph - sh) / f(2)), i32(f(pw - sw) / f(2))
    pad = [t, l, sh + 2 * t, sw + 2 * l]
    ratio = max(f(sw) / f(tw), f(sh) / f(th))
    hf, wf = f(sh) / ratio, f(sw) / ratio
    fit = [max(0, int(math.floor((f(th) - hf) / f(2)))), max(0, int(math.floor((f(tw) - wf) / f(2)))), int(math.floor(hf)), int(math.floor(wf))]
    out.append([crop, pad, fit])
print(json.dumps(out))
`;

function cases(): [number, number, number, number][] {
  const sides = [1, 2, 3, 5, 7, 10, 16, 31, 100, 224, 255, 256, 299, 333, 375, 480, 500, 640, 1080, 1920, 4000, 4032];
  const targets: [number, number][] = [[1, 1], [224, 224], [256, 256], [100, 150], [150, 100], [299, 299], [7, 3], [3, 7], [1080, 1920], [331, 17]];
  const out: [number, number, number, number][] = [];
  for (const h of sides) for (const w of sides) for (const [th, tw] of targets) out.push([h, w, th, tw]);
  let seed = 12345;
  const rnd = (n: number) => 1 + ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let i = 0; i < 3000; i++) out.push([rnd(5000), rnd(5000), rnd(1000), rnd(1000)]);
  return out;
}

test('crop, pad and fit boxes equal the float32 Keras/TensorFlow arithmetic on ~8000 sizes', async (t) => {
  const all = cases();
  const file = join(await tempDir(t), 'cases.json');
  await writeFile(file, JSON.stringify(all));
  const ref = await py<[number[], number[], number[]][]>(referee, [file]);
  assert.equal(ref.length, all.length);
  let fitShort = 0;
  all.forEach(([sh, sw, th, tw], i) => {
    const [crop, pad, fit] = ref[i];
    const c = cropToAspectBox(sh, sw, th, tw);
    assert.deepEqual([c.top, c.left, c.height, c.width], crop, `crop ${sh}x${sw} -> ${th}x${tw}`);
    const p = padToAspectBox(sh, sw, th, tw);
    assert.deepEqual([p.top, p.left, p.canvasHeight, p.canvasWidth], pad, `pad ${sh}x${sw} -> ${th}x${tw}`);
    const f = fitInside(sh, sw, th, tw);
    // Our one deviation: TensorFlow would resize to 0 pixels; we keep 1.
    const expected = [fit[0], fit[1], Math.max(1, fit[2]), Math.max(1, fit[3])];
    if (fit[2] >= 1 && fit[3] >= 1) assert.deepEqual([f.top, f.left, f.height, f.width], expected, `fit ${sh}x${sw} -> ${th}x${tw}`);
    else assert.deepEqual([f.height, f.width], [expected[2], expected[3]]);
    if (f.height < th && f.width < tw) fitShort++;
  });
  // The float32 ratio really does leave some images a pixel short on both sides (e.g. 10x16).
  assert.ok(fitShort > 0);
});

test('worked examples from the docs', () => {
  assert.deepEqual(cropToAspectBox(340, 500, 200, 200), { top: 0, left: 80, height: 340, width: 340 });
  assert.deepEqual(padToAspectBox(11, 30, 1, 1), { top: 9, left: 0, height: 11, width: 30, canvasHeight: 29, canvasWidth: 30 });
  assert.deepEqual(fitInside(20, 40, 30, 30), { top: 7, left: 0, height: 15, width: 30 });
  assert.deepEqual(fitInside(10, 16, 224, 224), { top: 42, left: 0, height: 140, width: 223 });
  assert.deepEqual(fitInside(1, 1000, 10, 10), { top: 4, left: 0, height: 1, width: 10 });
});

test('padOffsets centres with the odd pixel after the image, or pins to the top-left', () => {
  assert.deepEqual(padOffsets(3, 4, 8, 8, 'center'), { top: 2, left: 2 });
  assert.deepEqual(padOffsets(3, 3, 8, 8, 'center'), { top: 2, left: 2 });
  assert.deepEqual(padOffsets(8, 8, 8, 8, 'center'), { top: 0, left: 0 });
  assert.deepEqual(padOffsets(3, 4, 8, 8, 'top-left'), { top: 0, left: 0 });
});

test('invalid sizes are refused with the value named', () => {
  assert.throws(() => cropToAspectBox(0, 10, 5, 5), /Expected integer between 1 and 2147483647 for srcH in cropToAspectBox but received 0/);
  assert.throws(() => padToAspectBox(10, 2.5, 5, 5), /for srcW/);
  assert.throws(() => fitInside(10, 10, -1, 5), /for dstH/);
  assert.throws(() => padOffsets(9, 4, 8, 8, 'center'), /no larger than the 8x8 canvas but received 9x4/);
});

function img(width: number, height: number, channels: 1 | 3 | 4, fill: (i: number) => number): DecodedImage {
  return { width, height, channels, data: Uint8Array.from({ length: width * height * channels }, (_, i) => fill(i)) };
}

test('padToCanvas places the image and fills the rest with the rounded pad value', () => {
  const src = img(2, 1, 1, (i) => 100 + i); // [100, 101]
  const centre = padToCanvas(src, 3, 5, 'center', 7.6);
  assert.equal(centre.width, 5);
  assert.equal(centre.height, 3);
  assert.deepEqual([...centre.data], [8, 8, 8, 8, 8, 8, 100, 101, 8, 8, 8, 8, 8, 8, 8]);
  const corner = padToCanvas(src, 2, 3, 'top-left', 0);
  assert.deepEqual([...corner.data], [100, 101, 0, 0, 0, 0]);
});

test('padToCanvas: rgba padding is opaque, rgb padding takes the value on every band', () => {
  const rgba = padToCanvas(img(1, 1, 4, () => 9), 1, 2, 'top-left', 50);
  assert.deepEqual([...rgba.data], [9, 9, 9, 9, 50, 50, 50, 255]);
  const rgb = padToCanvas(img(1, 1, 3, () => 9), 1, 2, 'center', 255);
  assert.deepEqual([...rgb.data], [9, 9, 9, 255, 255, 255]);
});

test('padToCanvas returns the same image when it already fills the canvas, refuses a larger one', () => {
  const src = img(2, 2, 3, (i) => i);
  assert.equal(padToCanvas(src, 2, 2, 'center', 0), src);
  assert.throws(() => padToCanvas(src, 1, 2, 'center', 0), RangeError);
  assert.throws(() => padToCanvas(src, 4, 4, 'center', 256), /Expected number from 0 to 255 for padValue but received 256/);
  assert.throws(() => placeOnCanvas(src, 4, 4, 3, 0, 0), /fit a 4x4 canvas/);
});

// ---- Geometry inside decodeImage (sharp resizes; the boxes above decide where) ----

type Geometry = NonNullable<DecodePlan['geometry']>;
const plan = (g: Partial<Geometry> & Pick<Geometry, 'height' | 'width'>, over: Partial<DecodePlan> = {}): DecodePlan => ({
  channels: 3, alpha: 'drop', exif: true, maxPixels: 0, fastShrink: true,
  geometry: { mode: 'stretch', interpolation: 'bilinear', antialias: true, padValue: 0, ...g },
  ...over,
});

async function put(dir: string, name: string, bytes: Uint8Array | Promise<Uint8Array>): Promise<string> {
  const abs = join(dir, name);
  await writeFile(abs, await bytes);
  return abs;
}

const pixel = (im: DecodedImage, x: number, y: number) => [...im.data.subarray((y * im.width + x) * im.channels, (y * im.width + x + 1) * im.channels)];

/** 30×10: red, green and blue thirds. */
function thirds(): Pixels {
  const px = solid(30, 10, [0, 0, 0]);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 30; x++) px.data.set(x < 10 ? [255, 0, 0] : x < 20 ? [0, 255, 0] : [0, 0, 255], (y * 30 + x) * 3);
  return px;
}

test('every mode and kernel gives exactly the target size', async (t) => {
  const file = await put(await tempDir(t), 'g.png', encode(gradient(37, 23), 'png'));
  for (const mode of ['stretch', 'crop', 'pad'] as const) {
    for (const interpolation of ['nearest', 'bilinear', 'bicubic', 'area', 'lanczos3'] as const) {
      for (const [height, width] of [[10, 10], [64, 20], [23, 37], [5, 90]]) {
        const img = await decodeImage(file, plan({ height, width, mode, interpolation }));
        assert.deepEqual([img.height, img.width, img.data.length], [height, width, height * width * 3], `${mode} ${interpolation} ${height}x${width}`);
      }
    }
  }
});

test('crop keeps the centre at the target aspect: the green third of a red|green|blue image', async (t) => {
  const file = await put(await tempDir(t), 't.png', encode(thirds(), 'png'));
  const img = await decodeImage(file, plan({ height: 5, width: 5, mode: 'crop', interpolation: 'lanczos3' }));
  assert.deepEqual([...img.data], [...solid(5, 5, [0, 255, 0]).data]);
  const stretched = await decodeImage(file, plan({ height: 5, width: 6, mode: 'stretch', interpolation: 'nearest' }));
  assert.deepEqual([pixel(stretched, 0, 2), pixel(stretched, 3, 2), pixel(stretched, 5, 2)], [[255, 0, 0], [0, 255, 0], [0, 0, 255]]);
});

test('pad fits inside and pads with the value at the TensorFlow offsets (opaque in rgba)', async (t) => {
  const dir = await tempDir(t);
  const file = await put(dir, 'r.png', encode(solid(40, 20, [255, 0, 0]), 'png'));
  // fitInside(20, 40, 30, 30) = rows 7..21 of 30.
  const img = await decodeImage(file, plan({ height: 30, width: 30, mode: 'pad', padValue: 7 }));
  for (let y = 0; y < 30; y++) assert.deepEqual(pixel(img, 15, y), y >= 7 && y < 22 ? [255, 0, 0] : [7, 7, 7], `row ${y}`);
  const rgba = await decodeImage(file, plan({ height: 30, width: 30, mode: 'pad', padValue: 7 }, { channels: 4 }));
  assert.deepEqual([pixel(rgba, 0, 0), pixel(rgba, 15, 15)], [[7, 7, 7, 255], [255, 0, 0, 255]]);
  const grey = await put(dir, 'g.png', encodePng({ width: 4, height: 8, colorType: 0, bitDepth: 8, samples: Array(32).fill(90) }));
  const g = await decodeImage(grey, plan({ height: 8, width: 8, mode: 'pad', padValue: 200 }, { channels: 1 }));
  assert.deepEqual([...g.data.subarray(0, 8)], [200, 200, 90, 90, 90, 90, 200, 200]);
});

test('nearest replicates pixels, bilinear blends, area enlarges by whole factors like nearest', async (t) => {
  const checker = solid(2, 2, [0, 0, 0]);
  checker.data.set([255, 255, 255], 3);
  checker.data.set([255, 255, 255], 6);
  const file = await put(await tempDir(t), 'c.png', encode(checker, 'png'));
  const blocks = [0, 0, 255, 255, 0, 0, 255, 255, 255, 255, 0, 0, 255, 255, 0, 0];
  for (const interpolation of ['nearest', 'area'] as const) {
    const img = await decodeImage(file, plan({ height: 4, width: 4, interpolation }, { channels: 1 }));
    assert.deepEqual([...img.data], blocks, interpolation);
  }
  const soft = await decodeImage(file, plan({ height: 4, width: 4, interpolation: 'bilinear' }, { channels: 1 }));
  assert.ok([...soft.data].some((v) => v > 0 && v < 255));
});

test('alpha is dropped before resampling, so colour under transparent pixels survives', async (t) => {
  const file = await put(await tempDir(t), 'p.png', encodePng({ width: 3, height: 1, colorType: 3, bitDepth: 8, samples: [0, 1, 2], palette: [[255, 0, 0], [0, 255, 0], [0, 0, 255]], trns: [0, 128] }));
  const drop = await decodeImage(file, plan({ height: 2, width: 6, interpolation: 'nearest' }));
  assert.deepEqual([pixel(drop, 0, 0), pixel(drop, 2, 1), pixel(drop, 5, 0)], [[255, 0, 0], [0, 255, 0], [0, 0, 255]]);
  const white = await decodeImage(file, plan({ height: 2, width: 6, interpolation: 'nearest' }, { alpha: 'white' }));
  assert.deepEqual([pixel(white, 0, 0), pixel(white, 2, 1)], [[255, 255, 255], [127, 255, 127]]);
  const grey = await put(await tempDir(t), 'ga.png', encodePng({ width: 2, height: 1, colorType: 4, bitDepth: 8, samples: [200, 0, 100, 255] }));
  const g = await decodeImage(grey, plan({ height: 1, width: 4, interpolation: 'nearest' }, { channels: 1, alpha: 'black' }));
  assert.deepEqual([...g.data], [0, 0, 100, 100]);
});

test('EXIF orientation comes before the crop', async (t) => {
  const bytes = sharp(halves().data, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).withMetadata({ orientation: 6 }).toBuffer();
  const file = await put(await tempDir(t), 'o6.jpg', bytes);
  // Shown 8 wide, 16 high: red on top. The centre 8×8 is half red, half blue.
  const img = await decodeImage(file, plan({ height: 2, width: 2, mode: 'crop', interpolation: 'nearest' }));
  const red = pixel(img, 0, 0);
  const blue = pixel(img, 0, 1);
  assert.ok(red[0] > 240 && red[2] < 15 && blue[2] > 240 && blue[0] < 15, `${red} / ${blue}`);
});

test('fastShrink false decodes at full size (then equals PIL exactly); true decodes at a DCT scale within mean 2 of it', async (t) => {
  const n = 800;
  let seed = 7;
  const noise = Uint8Array.from({ length: n * n * 3 }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) >>> 16) & 255);
  const file = await put(await tempDir(t), 'n.jpg', sharp(noise, { raw: { width: n, height: n, channels: 3 } }).blur(2).jpeg({ quality: 90 }).toBuffer());
  const pil = Buffer.from(await py<number[]>(`import sys, json\nfrom PIL import Image\nprint(json.dumps(list(Image.open(sys.argv[1]).convert('RGB').resize((80, 80), Image.BILINEAR).tobytes())))`, [file]));
  const slow = await decodeImage(file, plan({ height: 80, width: 80 }, { fastShrink: false }));
  const fast = await decodeImage(file, plan({ height: 80, width: 80 }, { fastShrink: true }));
  if (!slow.decoder?.startsWith('libjpeg-turbo')) t.diagnostic('libturbojpeg not available: the sharp path is compared');
  else assert.deepEqual(Buffer.from(slow.data), pil);
  assert.notDeepEqual(Buffer.from(fast.data), Buffer.from(slow.data));
  const mean = fast.data.reduce((sum, v, i) => sum + Math.abs(v - pil[i]), 0) / pil.length;
  assert.ok(mean <= 2, `mean |Δ| ${mean}`);
});
