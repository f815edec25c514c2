import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeImage, decodeWithSharp } from '../../../src/core/decode/image.js';
import { jpegDecoderNotice } from '../../../src/core/decode/decoders.js';
import { turboJpeg } from '../../../src/core/decode/turbojpeg.js';
import type { DecodePlan } from '../../../src/core/types.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const run = promisify(execFile);
const basePlan: DecodePlan = { channels: 3, alpha: 'drop', exif: true, maxPixels: 0x3fff * 0x3fff, geometry: null, fastShrink: true };
const plan = (over: Partial<DecodePlan> = {}): DecodePlan => ({ ...basePlan, ...over });
const geometry = (height: number, width: number, mode: 'stretch' | 'crop' | 'pad' = 'crop') => ({ height, width, mode, interpolation: 'bilinear' as const, antialias: true, padValue: 0 });

/** Photo-like JPEGs made by PIL: blurred noise over gradients with hard edges, 4:2:0 and 4:4:4. */
async function photos(dir: string): Promise<string[]> {
  return py<string[]>(`
import sys, json, random
from PIL import Image, ImageDraw, ImageFilter
random.seed(3)
out = []
for i, (w, h, q, sub) in enumerate([(500, 375, 90, 2), (333, 480, 75, 2), (640, 427, 95, 0), (401, 417, 85, 2)]):
    noise = Image.effect_noise((w, h), 60).convert('RGB').filter(ImageFilter.GaussianBlur(1.5))
    grad = Image.linear_gradient('L').resize((w, h)).convert('RGB')
    im = Image.blend(noise, grad, 0.5)
    d = ImageDraw.Draw(im)
    for k in range(12):
        x, y = random.randrange(w), random.randrange(h)
        d.rectangle([x, y, x + random.randrange(10, 80), y + random.randrange(10, 80)], fill=tuple(random.randrange(256) for _ in range(3)))
    path = f'{sys.argv[1]}/p{i}.jpg'
    im.save(path, quality=q, subsampling=sub)
    out.append(path)
print(json.dumps(out))`, [dir]);
}

async function djpeg(file: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run('djpeg', [...args, file], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  // Binary PNM: magic, width height, maxval, one whitespace byte, then the samples.
  let at = 0;
  for (let fields = 0; fields < 4; at++) if (/\s/.test(String.fromCharCode(stdout[at])) && !/\s/.test(String.fromCharCode(stdout[at - 1]))) fields++;
  return stdout.subarray(at);
}

const meanDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};

const haveTurbo = turboJpeg() !== null;

test('libturbojpeg is found (CI installs it); no notice is given then', { skip: !haveTurbo && 'libturbojpeg not installed' }, () => {
  assert.equal(jpegDecoderNotice(), null);
});

test('Keras mode (IFAST DCT, fancy upsampling) equals djpeg -dct fast byte for byte; default mode equals djpeg (ISLOW)', { skip: !haveTurbo && 'libturbojpeg not installed' }, async (t) => {
  const dir = await tempDir(t);
  for (const file of await photos(dir)) {
    const keras = await decodeImage(file, plan({ jpegDct: 'fast', exif: false }));
    assert.match(keras.decoder ?? '', /^libjpeg-turbo/);
    assert.ok(Buffer.from(keras.data).equals(await djpeg(file, ['-dct', 'fast', '-pnm'])), `${file}: rgb`);
    const grey = await decodeImage(file, plan({ jpegDct: 'fast', exif: false, channels: 1 }));
    assert.ok(Buffer.from(grey.data).equals(await djpeg(file, ['-dct', 'fast', '-grayscale', '-pnm'])), `${file}: grayscale (libjpeg's Y)`);
    const exact = await decodeImage(file, plan());
    assert.ok(Buffer.from(exact.data).equals(await djpeg(file, ['-dct', 'int', '-pnm'])), `${file}: ISLOW`);
    assert.ok(!Buffer.from(exact.data).equals(Buffer.from(keras.data)), 'the two DCTs differ');
  }
});

test("default mode with a DCT-scaled decode stays within mean |Δ| 2 of PIL's full-decode antialiased bilinear, and equals it where it decodes at full size", async (t) => {
  const dir = await tempDir(t);
  const files = await photos(dir);
  const sizes: [number, number, 'stretch' | 'crop' | 'pad'][] = [[224, 224, 'crop'], [128, 96, 'stretch'], [64, 64, 'pad'], [32, 32, 'crop']];
  const pil = await py<number[][]>(`
import sys, json
from PIL import Image
from math import floor
out = []
for f in json.loads(sys.argv[1]):
    for h, w, mode, box, fit, place in json.loads(sys.argv[2])[f]:
        im = Image.open(f).convert('RGB')
        r = im.resize((fit[1], fit[0]), Image.BILINEAR, box=tuple(box)) if mode != 'crop' else im.crop(tuple(box)).resize((w, h), Image.BILINEAR)
        if mode == 'pad':
            c = Image.new('RGB', (w, h)); c.paste(r, (place[1], place[0])); r = c
        out.append(list(r.tobytes()))
print(json.dumps(out))`, [JSON.stringify(files), JSON.stringify(Object.fromEntries(await Promise.all(files.map(async (f) => {
    const { fitPlan } = await import('../../../src/core/geometry/fit.js');
    const m = await sharp(f).metadata();
    return [f, sizes.map(([h, w, mode]) => {
      const p = fitPlan(m.height, m.width, geometry(h, w, mode));
      return [h, w, mode, [p.box.left, p.box.top, p.box.left + p.box.width, p.box.top + p.box.height], [p.out.height, p.out.width], p.place ? [p.place.top, p.place.left] : [0, 0]];
    })];
  }))))]);
  let k = 0;
  for (const file of files) {
    for (const [h, w, mode] of sizes) {
      const ours = await decodeImage(file, plan({ geometry: geometry(h, w, mode) }));
      const d = meanDiff(ours.data, pil[k++]);
      assert.ok(d <= 2, `${file} → ${h}x${w} ${mode}: mean |Δ| ${d.toFixed(3)}`);
      // No SIMD scale (1/8, 1/4, 1/2) covers a 224 crop of these 333–480 px sides, and 3/8–7/8
      // are never used: they decode at full size, so the pixels are PIL's exactly.
      if (haveTurbo && h === 224) assert.equal(d, 0, `${file} → 224x224 crop: full-size decode, as PIL`);
    }
  }
});

test('EXIF orientation on the fast path: as PIL exif_transpose, before the crop', async (t) => {
  const dir = await tempDir(t);
  const [file] = await photos(dir);
  const pixels = await sharp(file).raw().toBuffer();
  for (const orientation of [3, 6, 8]) {
    const oriented = join(dir, `o${orientation}.jpg`);
    await writeFile(oriented, await sharp(pixels, { raw: { width: 500, height: 375, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer());
    const pil = await py<number[]>(`import sys, json\nfrom PIL import Image, ImageOps\nprint(json.dumps(list(ImageOps.exif_transpose(Image.open(sys.argv[1])).convert('RGB').tobytes())))`, [oriented]);
    const ours = await decodeImage(oriented, plan());
    assert.deepEqual([ours.width, ours.height], orientation === 3 ? [500, 375] : [375, 500]);
    assert.ok(meanDiff(ours.data, pil) === 0 || !haveTurbo, `orientation ${orientation}: equals PIL`);
    const off = await decodeImage(oriented, plan({ exif: false }));
    assert.deepEqual([off.width, off.height], [500, 375]);
  }
});

test('corrupt data that still ends in EOI is damage: skipped as damaged-image, kept with --allow-damaged (both decoders)', async (t) => {
  const dir = await tempDir(t);
  const [file] = await photos(dir);
  const whole = await readFile(file);
  const corrupt = await (async () => {
    const p = join(dir, 'corrupt.jpg');
    await writeFile(p, Buffer.concat([whole.subarray(0, Math.floor(whole.length * 0.6)), Buffer.from([0xff, 0xd9])]));
    return p;
  })();
  const cut = join(dir, 'cut.jpg');
  await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const damaged = (err: unknown) => err instanceof Img2npyError && err.code === 'damaged-image' && err.file === corrupt && /: damaged JPEG \(.*premature end of data segment.*--allow-damaged/i.test(err.message);
  await assert.rejects(decodeImage(corrupt, plan()), damaged);
  await assert.rejects(decodeWithSharp(await readFile(corrupt), corrupt, 'jpeg', plan()), damaged);
  await assert.rejects(decodeImage(cut, plan()), { code: 'unreadable-image', message: /: truncated JPEG \(/ });
  const kept = await decodeImage(corrupt, plan({ allowDamaged: true, geometry: geometry(64, 64) }));
  assert.deepEqual([kept.width, kept.height], [64, 64]);
  if (haveTurbo) assert.match(kept.damage ?? '', /premature end of data segment/);
  const keptBySharp = await decodeWithSharp(await readFile(corrupt), corrupt, 'jpeg', plan({ allowDamaged: true }));
  assert.deepEqual([keptBySharp.width, keptBySharp.height], [500, 375]);
});

test('a file far larger than its header allows is refused after reading its head only', async (t) => {
  const dir = await tempDir(t);
  const [file] = await photos(dir);
  const big = join(dir, 'big.jpg');
  await writeFile(big, await readFile(file));
  await truncate(big, 1.5e9); // sparse: no disk used
  const started = process.cpuUsage();
  await assert.rejects(decodeImage(big, plan()), { code: 'unreadable-image', message: /big\.jpg: 1\.5 GB is far more than its JPEG header says it could need \(\d+\.\d MB\); not read/ });
  const text = join(dir, 'text.jpg');
  await writeFile(text, 'not an image at all');
  await truncate(text, 1.5e9);
  await assert.rejects(decodeImage(text, plan()), { code: 'unreadable-image', message: /not an image \(starts with 'not an image'\)/ });
  const used = process.cpuUsage(started);
  // Reading 3 GB would take seconds of system time; two heads take milliseconds.
  assert.ok(used.system + used.user < 1_000_000, `CPU ${used.user + used.system} µs`);
});

test('decodes inside worker threads (synchronous TurboJPEG there) equal those on the main thread; without libturbojpeg JPEGs go through sharp with one notice', async (t) => {
  const dir = await tempDir(t);
  const files = await photos(dir);
  const p = plan({ geometry: geometry(96, 96) });
  const main = await Promise.all(files.map((f) => decodeImage(f, p)));
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      (await import(workerData.tsx)).register();
      const { decodeImage } = await import(workerData.image);
      const { jpegDecoderNotice } = await import(workerData.decoders);
      const out = [];
      for (const f of workerData.files) out.push(await decodeImage(f, workerData.plan));
      parentPort.postMessage({ out, notice: jpegDecoderNotice() });
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  const inWorker = (env: NodeJS.ProcessEnv) =>
    new Promise<{ out: { data: Uint8Array; decoder?: string }[]; notice: string | null; error?: string }>((resolve, reject) => {
      const w = new Worker(script, {
        eval: true,
        env,
        workerData: { files, plan: p, tsx: import.meta.resolve('tsx/esm/api'), image: new URL('../../../src/core/decode/image.ts', import.meta.url).href, decoders: new URL('../../../src/core/decode/decoders.ts', import.meta.url).href },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const same = await inWorker({ ...process.env });
  assert.equal(same.error, undefined, same.error);
  for (const [i, img] of same.out.entries()) assert.deepEqual(Buffer.from(img.data), Buffer.from(main[i].data), files[i]);
  const without = await inWorker({ ...process.env, IMG2NPY_NO_TURBOJPEG: '1' });
  assert.equal(without.error, undefined, without.error);
  assert.match(without.out[0].decoder ?? 'sharp', /sharp|^$/);
  assert.match(without.notice ?? '', /JPEGs decode through sharp .*apt install libturbojpeg0/);
  for (const [i, img] of without.out.entries()) assert.ok(meanDiff(img.data, main[i].data) <= 3, `${files[i]}: sharp vs TurboJPEG`);
});
