import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage } from '../../../src/core/decode/image.js';
import { flattenAlpha, rgbToLuma, stripAlpha, to8Bit } from '../../../src/core/decode/pixels.js';
import type { DecodedImage, DecodePlan } from '../../../src/core/types.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { type EncodedFormat, type Pixels, animatedGif, encode, encodePng, gradient, halves, makeAwkwardFolder, solid } from '../../helpers/fixtures.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const basePlan: DecodePlan = { channels: 3, alpha: 'drop', exif: true, maxPixels: 0x3fff * 0x3fff, geometry: null, fastShrink: true };
const plan = (over: Partial<DecodePlan> = {}): DecodePlan => ({ ...basePlan, ...over });

async function put(dir: string, name: string, bytes: Uint8Array | Promise<Uint8Array>): Promise<string> {
  const abs = join(dir, name);
  await writeFile(abs, await bytes);
  return abs;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Independent statement of compositing: round((c·a + bg·(255 − a)) / 255). */
const over = (c: number, a: number, bg: number) => Math.round((c * a + bg * (255 - a)) / 255);

test('lossless formats give the gradient exactly; JPEG (q100 4:4:4) within 4', async (t) => {
  const dir = await tempDir(t);
  const formats: [EncodedFormat, number][] = [['png', 0], ['webp', 0], ['tif', 0], ['gif', 0], ['bmp', 0], ['avif', 0], ['jpg', 4]];
  for (const [format, tolerance] of formats) {
    // GIF holds 256 colours: its gradient is 16×12 (192 colours), the others 64×48.
    const g = format === 'gif' ? gradient(16, 12) : gradient(64, 48);
    const img = await decodeImage(await put(dir, `g.${format}`, encode(g, format)), plan());
    assert.deepEqual([img.width, img.height, img.channels], [g.width, g.height, 3], format);
    assert.ok(maxDiff(img.data, g.data) <= tolerance, `${format}: off by ${maxDiff(img.data, g.data)}`);
  }
});

test('the content decides the decoder, not the extension', async (t) => {
  const dir = await tempDir(t);
  const png = await decodeImage(await put(dir, 'png.jpg', encode(solid(3, 2, [1, 2, 3]), 'png')), plan());
  assert.deepEqual([...png.data.subarray(0, 3)], [1, 2, 3]);
  const bmp = await decodeImage(await put(dir, 'bmp.png', encode(solid(3, 2, [4, 5, 6]), 'bmp')), plan());
  assert.deepEqual([...bmp.data.subarray(0, 3)], [4, 5, 6]);
});

test('grayscale output equals PIL convert("L") on colour images', async (t) => {
  const dir = await tempDir(t);
  const px: Pixels = { width: 16, height: 16, channels: 3, data: Uint8Array.from({ length: 768 }, (_, i) => (i * 97 + (i >> 4) * 13) % 256) };
  const file = await put(dir, 'c.png', encode(px, 'png'));
  const ours = await decodeImage(file, plan({ channels: 1 }));
  const pil = await py<number[]>(`import sys, json\nfrom PIL import Image\nprint(json.dumps(list(Image.open(sys.argv[1]).convert('L').getdata())))`, [file]);
  assert.equal(ours.channels, 1);
  assert.deepEqual([...ours.data], pil);
});

test('grey sources: kept as is for grayscale, replicated for rgb, opaque for rgba', async (t) => {
  const dir = await tempDir(t);
  const samples = Array.from({ length: 12 }, (_, i) => 10 + 20 * i);
  const file = await put(dir, 'g.png', encodePng({ width: 4, height: 3, colorType: 0, bitDepth: 8, samples }));
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 1 }))).data], samples);
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 3 }))).data], samples.flatMap((v) => [v, v, v]));
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 4 }))).data], samples.flatMap((v) => [v, v, v, 255]));
});

test('grey + alpha: drop keeps the grey, white/black composite with rounding, rgba keeps alpha', async (t) => {
  const dir = await tempDir(t);
  const alphas = [0, 85, 170, 255];
  const file = await put(dir, 'ga.png', encodePng({ width: 2, height: 2, colorType: 4, bitDepth: 8, samples: alphas.flatMap((a) => [200, a]) }));
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 1, alpha: 'drop' }))).data], [200, 200, 200, 200]);
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 1, alpha: 'white' }))).data], alphas.map((a) => over(200, a, 255)));
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 3, alpha: 'black' }))).data], alphas.flatMap((a) => Array(3).fill(over(200, a, 0))));
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 4 }))).data], alphas.flatMap((a) => [200, 200, 200, a]));
});

test('palette PNG with tRNS: transparency per palette entry', async (t) => {
  const dir = await tempDir(t);
  const pal: [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
  const trns = [0, 128];
  const file = await put(dir, 'p.png', encodePng({ width: 3, height: 1, colorType: 3, bitDepth: 8, samples: [0, 1, 2], palette: pal, trns }));
  const alpha = [0, 128, 255];
  assert.deepEqual([...(await decodeImage(file, plan({ alpha: 'drop' }))).data], pal.flat());
  assert.deepEqual([...(await decodeImage(file, plan({ alpha: 'white' }))).data], pal.flatMap((c, i) => c.map((v) => over(v, alpha[i], 255))));
  assert.deepEqual([...(await decodeImage(file, plan({ channels: 4 }))).data], pal.flatMap((c, i) => [...c, alpha[i]]));
});

test('16-bit PNG: every one of the 65536 grey values rounds to round(v·255/65535)', async (t) => {
  const dir = await tempDir(t);
  const samples = Array.from({ length: 65536 }, (_, v) => v);
  const file = await put(dir, 'g16.png', encodePng({ width: 256, height: 256, colorType: 0, bitDepth: 16, samples }));
  const img = await decodeImage(file, plan({ channels: 1 }));
  const expected = samples.map((v) => Math.round((v * 255) / 65535));
  assert.deepEqual([...img.data], expected);
  // Truncation (what libvips does) would give 255 for 65280; rounding gives 254.
  assert.equal(img.data[65280], 254);
});

test('16-bit RGB, RGBA PNG and 16-bit TIFF round the same way, alpha too', async (t) => {
  const dir = await tempDir(t);
  const values = [0, 128, 129, 383, 400, 32767, 32896, 257 * 7, 257 * 7 + 128, 257 * 7 + 129, 65280, 65407, 65408, 65535];
  const r8 = (v: number) => Math.round((v * 255) / 65535);
  const rgb = await put(dir, 'rgb16.png', encodePng({ width: values.length, height: 1, colorType: 2, bitDepth: 16, samples: values.flatMap((v) => [v, 65535 - v, 257 * 3]) }));
  assert.deepEqual([...(await decodeImage(rgb, plan())).data], values.flatMap((v) => [r8(v), r8(65535 - v), 3]));
  const rgba = await put(dir, 'rgba16.png', encodePng({ width: values.length, height: 1, colorType: 6, bitDepth: 16, samples: values.flatMap((v) => [v, v, v, v]) }));
  assert.deepEqual([...(await decodeImage(rgba, plan({ channels: 4 }))).data], values.flatMap((v) => [r8(v), r8(v), r8(v), r8(v)]));
  const png16 = encodePng({ width: values.length, height: 1, colorType: 2, bitDepth: 16, samples: values.flatMap((v) => [v, v, v]) });
  const tif = await put(dir, 'rgb16.tif', sharp(png16).toColourspace('rgb16').tiff({ compression: 'lzw' }).toBuffer());
  assert.equal((await sharp(tif).metadata()).depth, 'ushort');
  assert.deepEqual([...(await decodeImage(tif, plan())).data], values.flatMap((v) => [r8(v), r8(v), r8(v)]));
});

test('embedded ICC profiles are ignored: values as stored, the same as PIL reads', async (t) => {
  const dir = await tempDir(t);
  // sharp converts to Display P3 on write, so the stored values differ from the input.
  const bytes = sharp(gradient(16, 8).data, { raw: { width: 16, height: 8, channels: 3 } }).withIccProfile('p3').png().toBuffer();
  const file = await put(dir, 'p3.png', bytes);
  assert.ok((await sharp(file).metadata()).hasProfile);
  const pil = await py<number[]>(`import sys, json\nfrom PIL import Image\nprint(json.dumps([c for p in Image.open(sys.argv[1]).convert('RGB').getdata() for c in p]))`, [file]);
  const ours = await decodeImage(file, plan());
  assert.deepEqual([...ours.data], pil);
  assert.notDeepEqual([...ours.data], [...gradient(16, 8).data]);
});

test('CMYK JPEG without a profile converts as PIL does (Adobe inverted CMYK → RGB), on both paths', async (t) => {
  const dir = await tempDir(t);
  const px = gradient(24, 16);
  const bytes = sharp(px.data, { raw: { width: 24, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
  const file = await put(dir, 'cmyk.jpg', bytes);
  const meta = await sharp(file).metadata();
  assert.deepEqual([meta.space, meta.hasProfile], ['cmyk', false]);
  const pil = await py<number[]>(`import sys, json\nfrom PIL import Image\nprint(json.dumps(list(Image.open(sys.argv[1]).convert('RGB').tobytes())))`, [file]);
  const { decodeWithSharp } = await import('../../../src/core/decode/image.js');
  for (const [name, img] of [['fast path', await decodeImage(file, plan())], ['sharp path', await decodeWithSharp(await readFile(file), file, 'jpeg', plan())]] as const) {
    assert.equal(img.channels, 3);
    const mean = img.data.reduce((s, v, i) => s + Math.abs(v - pil[i]), 0) / pil.length;
    assert.ok(mean <= 1, `${name}: mean |Δ| ${mean} against PIL`);
  }
});

test('progressive JPEG decodes like the pixels it was made from (within 4)', async (t) => {
  const dir = await tempDir(t);
  const g = gradient(40, 24);
  const bytes = sharp(g.data, { raw: { width: 40, height: 24, channels: 3 } }).jpeg({ quality: 100, progressive: true, chromaSubsampling: '4:4:4' }).toBuffer();
  const file = await put(dir, 'p.jpg', bytes);
  assert.equal((await sharp(file).metadata()).isProgressive, true);
  assert.ok(maxDiff((await decodeImage(file, plan())).data, g.data) <= 4);
});

test('animated GIF and WebP: the first frame only', async (t) => {
  const dir = await tempDir(t);
  const gif = await decodeImage(await put(dir, 'a.gif', animatedGif(6, 4, [[255, 0, 0], [0, 255, 0], [0, 0, 255]])), plan());
  assert.deepEqual([gif.width, gif.height], [6, 4]);
  assert.deepEqual([...gif.data], [...solid(6, 4, [255, 0, 0]).data]);
  const frames = Uint8Array.from([...solid(6, 4, [0, 255, 0]).data, ...solid(6, 4, [255, 0, 0]).data]);
  const webp = sharp(frames, { raw: { width: 6, height: 8, channels: 3, pageHeight: 4 } }).webp({ lossless: true }).toBuffer();
  const w = await decodeImage(await put(dir, 'a.webp', webp), plan());
  assert.deepEqual([w.width, w.height, ...w.data.subarray(0, 3)], [6, 4, 0, 255, 0]);
});

async function exifJpeg(dir: string, orientation: number): Promise<string> {
  const h = halves();
  const bytes = sharp(h.data, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).withMetadata({ orientation }).toBuffer();
  return put(dir, `o${orientation}.jpg`, bytes);
}
const at = (img: { data: Uint8Array; width: number; channels: number }, x: number, y: number) => [...img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x) * img.channels + 3)];
const near = (a: number[], b: number[], tol = 4) => assert.ok(maxDiff(a, b) <= tol, `${a} vs ${b}`);

test('EXIF orientation is applied when exif is on and ignored when off', async (t) => {
  const dir = await tempDir(t);
  const six = await exifJpeg(dir, 6);
  const on = await decodeImage(six, plan({ exif: true }));
  assert.deepEqual([on.width, on.height], [8, 16]);
  near(at(on, 4, 2), [255, 0, 0]); // the left half turned to the top
  near(at(on, 4, 13), [0, 0, 255]);
  const off = await decodeImage(six, plan({ exif: false }));
  assert.deepEqual([off.width, off.height], [16, 8]);
  near(at(off, 2, 4), [255, 0, 0]);
  near(at(off, 13, 4), [0, 0, 255]);
  const three = await decodeImage(await exifJpeg(dir, 3), plan({ exif: true }));
  assert.deepEqual([three.width, three.height], [16, 8]);
  near(at(three, 2, 4), [0, 0, 255]);
});

test('maxPixels refuses by header before decoding; 0 means no limit', async (t) => {
  const dir = await tempDir(t);
  const small = await put(dir, 's.jpg', encode(gradient(10, 6), 'jpg'));
  assert.equal((await decodeImage(small, plan({ maxPixels: 60 }))).width, 10);
  await assert.rejects(decodeImage(small, plan({ maxPixels: 59 })), { code: 'image-too-large', file: small, message: /10x6 is 60 pixels, more than the limit of 59/ });
  // A 1-pixel PNG whose header claims 30000x30000: decoding it would fail as damaged, so
  // image-too-large proves the header was checked first.
  const bomb = await put(dir, 'bomb.png', encodePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, samples: [0], claimWidth: 30000, claimHeight: 30000 }));
  await assert.rejects(decodeImage(bomb, plan()), { code: 'image-too-large', message: /30000x30000 is 900000000 pixels/ });
  const lie = await put(dir, 'lie.png', encodePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, samples: [0], claimWidth: 3000, claimHeight: 3000 }));
  await assert.rejects(decodeImage(lie, plan({ maxPixels: 0 })), { code: 'unreadable-image', message: /PNG/ });
});

test('unreadable files: the error names the file and the problem', async (t) => {
  const dir = await tempDir(t);
  const jpg = await encode(gradient(32, 32), 'jpg');
  const png = await encode(gradient(32, 32), 'png');
  const gif = await encode(gradient(32, 32), 'gif');
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty.jpg', new Uint8Array(0), /: empty file$/],
    ['text.jpg', Buffer.from('just some words'), /: not an image \(starts with 'just some wo'\)$/],
    ['zip.png', Buffer.from('PK\x03\x04\x14\x00', 'latin1'), /: not an image \(starts with 'PK'\)$/],
    ['bin.jpg', Uint8Array.of(0, 1, 2, 3, 4, 5), /: not an image \(starts with bytes 00 01 02 03\)$/],
    ['psd.jpg', Buffer.from('8BPS\x00\x01', 'latin1'), /: unsupported image format \(Photoshop PSD\)$/],
    ['cut.jpg', jpg.subarray(0, jpg.length >> 1), /: truncated JPEG \(/],
    ['cut.png', png.subarray(0, png.length >> 1), /: truncated or damaged PNG \(/],
    ['cut.gif', gif.subarray(0, gif.length >> 1), /: truncated GIF \(/],
    ['head.jpg', jpg.subarray(0, 100), /: truncated JPEG \(/],
  ];
  for (const [name, bytes, message] of cases) {
    const file = await put(dir, name, bytes);
    await assert.rejects(decodeImage(file, plan()), (err: unknown) => {
      assert.ok(err instanceof Img2npyError, name);
      assert.equal(err.code, 'unreadable-image', name);
      assert.equal(err.file, file, name);
      assert.ok(err.message.startsWith(`Cannot decode ${file}: `), err.message);
      assert.match(err.message, message);
      return true;
    });
  }
  await assert.rejects(decodeImage(join(dir, 'missing.jpg'), plan()), { code: 'unreadable-image', message: /cannot read the file \(ENOENT\)/ });
});

test('the awkward folder decodes as its record says, in under 2 s to make', async (t) => {
  const dir = await tempDir(t);
  const started = Date.now();
  const set = await makeAwkwardFolder(dir);
  assert.ok(Date.now() - started < 2000);
  for (const [name, f] of Object.entries(set)) {
    if (f.expect === 'ok') {
      const img = await decodeImage(f.abs, plan());
      assert.deepEqual([img.width, img.height, img.channels], [f.width, f.height, 3], name);
      assert.ok(maxDiff(at(img, 0, 0), f.topLeft) <= f.tolerance, `${name}: ${at(img, 0, 0)} vs ${f.topLeft}`);
    } else {
      await assert.rejects(decodeImage(f.abs, plan()), (err: Img2npyError) => err.code === f.code && f.message.test(err.message) && err.file === f.abs, name);
    }
  }
});

test('decodes running in parallel give what they give one at a time', async (t) => {
  const dir = await tempDir(t);
  const files = await Promise.all(['png', 'jpg', 'webp', 'bmp', 'tif', 'gif'].map((f, i) => put(dir, `p${i}.${f}`, encode(gradient(20 + i, 10 + i), f as EncodedFormat))));
  const plans = [plan(), plan({ channels: 1 }), plan({ geometry: { height: 7, width: 9, mode: 'crop', interpolation: 'bicubic', antialias: true, padValue: 0 } })];
  const jobs = files.flatMap((f) => plans.map((p) => [f, p] as const));
  const one: DecodedImage[] = [];
  for (const [f, p] of jobs) one.push(await decodeImage(f, p));
  const all = await Promise.all(jobs.map(([f, p]) => decodeImage(f, p)));
  all.forEach((img, i) => assert.deepEqual(img, one[i]));
});

test('pixel helpers: 16→8 rounding, compositing, luma, alpha strip', () => {
  const ks = Uint16Array.from({ length: 256 }, (_, k) => 257 * k);
  assert.deepEqual([...to8Bit(ks)], Array.from({ length: 256 }, (_, k) => k));
  assert.deepEqual([...to8Bit(Uint16Array.of(32896, 128, 129, 65280))], [128, 0, 1, 254]);
  assert.deepEqual([...flattenAlpha(Uint8Array.of(200, 100, 50, 128), 3, 255)], [227, 177, 152]);
  assert.deepEqual([...flattenAlpha(Uint8Array.of(200, 0, 200, 255), 1, 0)], [0, 200]);
  assert.deepEqual([...rgbToLuma(Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9), false)], [76, 150, 29, 9]);
  assert.deepEqual([...rgbToLuma(Uint8Array.of(255, 255, 255, 7), true)], [255, 7]);
  assert.deepEqual([...stripAlpha(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 3)], [1, 2, 3, 5, 6, 7]);
});

test('a JPEG cut short reads as truncated even when libvips only says "Unknown error"', async () => {
  const { fromSharpError } = await import('../../../src/core/decode/errors.js');
  const whole = Uint8Array.of(0xff, 0xd8, 1, 2, 3, 0xff, 0xd9);
  const cut = whole.subarray(0, 5);
  assert.match(fromSharpError('/d/a.jpg', 'jpeg', new Error('Unknown error'), cut).message, /^Cannot decode \/d\/a\.jpg: truncated JPEG/);
  assert.match(fromSharpError('/d/a.jpg', 'jpeg', new Error('Unknown error'), whole).message, /: damaged JPEG/);
});
