import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { orient } from '../../../src/core/geometry/orient.js';
import { type Pixels, type ResampleFilter, resample } from '../../../src/core/geometry/resample.js';
import { dctScale, fitPlan } from '../../../src/core/geometry/fit.js';
import { coefficients, filters } from '../../../src/core/geometry/resample-coefficients.js';
import { separableJs } from '../../../src/core/geometry/resample-js.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

let seed = 11;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) >>> 16) & 255;
/** Smooth-ish random pixels: noise on a gradient, so every filter lobe matters. */
function pixels(width: number, height: number, bands: number): Pixels {
  const data = new Uint8Array(width * height * bands);
  for (let i = 0; i < data.length; i++) data[i] = (((i / bands) % width) * 7 + rand()) % 256;
  return { data, width, height, bands };
}

const pilFilters: Record<ResampleFilter, string> = { nearest: 'NEAREST', bilinear: 'BILINEAR', bicubic: 'BICUBIC', lanczos3: 'LANCZOS', box: 'BOX' };

test("every filter, through the TypeScript and the WebAssembly passes, equals Pillow's im.crop(box).resize(size, filter) byte for byte", async (t) => {
  const dir = await tempDir(t);
  const cases: { src: Pixels; box: [number, number, number, number]; out: [number, number] }[] = [
    { src: pixels(37, 23, 3), box: [0, 0, 37, 23], out: [10, 7] }, // reduce
    { src: pixels(37, 23, 3), box: [0, 0, 37, 23], out: [64, 45] }, // enlarge
    { src: pixels(37, 23, 3), box: [7, 0, 30, 23], out: [16, 16] }, // centred crop
    { src: pixels(20, 20, 1), box: [0, 0, 20, 20], out: [32, 32] }, // small grey PNG → 32²
    { src: pixels(50, 9, 3), box: [0, 0, 50, 9], out: [50, 3] }, // one axis only
    { src: pixels(13, 31, 1), box: [2, 5, 11, 26], out: [3, 30] },
    // The same sizes at other edges: coefficients are kept per thread (and reused by the second
    // engine below), so a key missing the edges, or a vertical pass shifting its kept bounds
    // again, gives other bytes.
    { src: pixels(13, 31, 1), box: [3, 4, 12, 25], out: [3, 30] },
    { src: pixels(13, 31, 1), box: [2, 5, 11, 26], out: [3, 30] },
  ];
  const jobs = [];
  for (const [i, c] of cases.entries()) {
    const file = join(dir, `c${i}.raw`);
    await writeFile(file, c.src.data);
    for (const filter of Object.keys(pilFilters) as ResampleFilter[]) jobs.push({ i, c, file, filter });
  }
  const code = `
import sys, json
from PIL import Image
out = []
for spec in json.loads(sys.argv[1]):
    mode = 'L' if spec['bands'] == 1 else 'RGB'
    im = Image.frombytes(mode, (spec['w'], spec['h']), open(spec['file'], 'rb').read())
    r = im.crop(tuple(spec['box'])).resize(tuple(spec['out']), getattr(Image, spec['filter']))
    out.append(list(r.tobytes()))
print(json.dumps(out))`;
  const specs = jobs.map(({ c, file, filter }) => ({ file, w: c.src.width, h: c.src.height, bands: c.src.bands, box: c.box, out: c.out, filter: pilFilters[filter] }));
  const pil = await py<number[][]>(code, [JSON.stringify(specs)]);
  for (const engine of ['js', 'wasm'] as const) {
    for (const [k, { c, filter }] of jobs.entries()) {
      const [x0, y0, x1, y1] = c.box;
      const ours = resample(c.src, { x0, y0, x1, y1 }, c.out[0], c.out[1], filter, engine);
      assert.deepEqual([ours.width, ours.height, ours.bands], [c.out[0], c.out[1], c.src.bands]);
      assert.deepEqual([...ours.data], pil[k], `${engine}: ${filter} ${JSON.stringify(c.box)} → ${c.out}`);
    }
  }
});

test('the same size and the whole image is a copy; bad sizes and boxes are refused', () => {
  const src = pixels(5, 4, 3);
  const same = resample(src, { x0: 0, y0: 0, x1: 5, y1: 4 }, 5, 4, 'lanczos3');
  assert.deepEqual(same.data, src.data);
  assert.notEqual(same.data, src.data);
  assert.throws(() => resample(src, { x0: 0, y0: 0, x1: 6, y1: 4 }, 2, 2, 'bilinear'), /Expected a box inside the 5x4 image/);
  assert.throws(() => resample(src, { x0: 0, y0: 0, x1: 5, y1: 4 }, 0, 2, 'bilinear'), /Expected positive integer for outW/);
});

test('orientations 2-8 turn the stored pixels upright as PIL exif_transpose does', async () => {
  const src = pixels(3, 2, 1);
  const pil = await py<Record<string, number[]>>(`
import sys, json
from PIL import Image
im = Image.frombytes('L', (3, 2), bytes(json.loads(sys.argv[1])))
ops = {2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180], 4: [Image.Transpose.FLIP_TOP_BOTTOM],
       5: [Image.Transpose.TRANSPOSE], 6: [Image.Transpose.ROTATE_270], 7: [Image.Transpose.TRANSVERSE], 8: [Image.Transpose.ROTATE_90]}
out = {}
for o, steps in ops.items():
    r = im
    for s in steps: r = r.transpose(s)
    out[o] = [r.width, r.height] + list(r.tobytes())
print(json.dumps(out))`, [JSON.stringify([...src.data])]);
  for (let o = 2; o <= 8; o++) {
    const r = orient(src, o);
    assert.deepEqual([r.width, r.height, ...r.data], pil[o], `orientation ${o}`);
  }
  assert.equal(orient(src, 1), src);
  assert.equal(orient(src, 9), src);
});

test('the DCT scale is the smallest of 1/8, 1/4, 1/2 (libjpeg-turbo’s SIMD IDCTs) that still covers the output, else full size; nearest never scales', () => {
  const factors = [2, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125].map((s) => ({ num: s * 8, denom: 8 }));
  const g = { height: 224, width: 224, mode: 'crop' as const, interpolation: 'bilinear' as const, antialias: true, padValue: 0 };
  // 2560×1600 crops to 1600×1600: 1/8 gives 200 < 224, 2/8 gives 400.
  assert.deepEqual(dctScale(fitPlan(1600, 2560, g), 'bilinear', factors), { num: 2, denom: 8 });
  // 500×375 → box 375²: 4/8 gives 187.5 < 224; 5/8 (234) would cover it but runs a C IDCT.
  assert.deepEqual(dctScale(fitPlan(375, 500, g), 'bilinear', factors), { num: 1, denom: 1 });
  // 1000×750 → box 750²: 3/8 (281) is skipped likewise; 4/8 gives 375.
  assert.deepEqual(dctScale(fitPlan(750, 1000, g), 'bilinear', factors), { num: 4, denom: 8 });
  assert.deepEqual(dctScale(fitPlan(200, 200, g), 'bilinear', factors), { num: 1, denom: 1 });
  assert.deepEqual(dctScale(fitPlan(1600, 2560, g), 'nearest', factors), { num: 1, denom: 1 });
});

test('kept coefficients give the bytes of fresh ones, also once the thread has kept more than its limit and started again', () => {
  // 3000-4000 px rows to 224 with lanczos3 keep ~75 KB of weights each: 40 widths pass the
  // limit (2 MB) and empty the map; each width is asked three times, before and after that.
  const widths = Array.from({ length: 40 }, (_, i) => 3000 + i * 25);
  const rows = new Map(widths.map((w) => [w, pixels(w, 2, 1)]));
  for (const round of [0, 1, 2]) {
    for (const w of round === 1 ? [...widths].reverse() : widths) {
      const src = rows.get(w)!;
      const fresh = separableJs(src, 0, 2, 224, coefficients(0, w, 224, filters.lanczos3), 2, null)!;
      for (const engine of ['js', 'wasm'] as const) {
        assert.deepEqual(resample(src, { x0: 0, y0: 0, x1: w, y1: 2 }, 224, 2, 'lanczos3', engine).data, fresh, `${w} px, round ${round}, ${engine}`);
      }
    }
  }
});
