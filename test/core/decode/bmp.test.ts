import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeBmp, parseBmpHeader } from '../../../src/core/decode/bmp.js';
import { decodeImage } from '../../../src/core/decode/image.js';
import type { DecodePlan } from '../../../src/core/types.js';
import { decodeRle } from '../../../src/core/decode/bmp-rle.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { type BmpSpec, type Rgb, encodeBmp } from '../../helpers/fixtures.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

// 5 wide so every bit depth needs row padding; 3 rows so bottom-up vs top-down shows.
const W = 5;
const H = 3;
const palette: Rgb[] = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, (i * 37) % 256]);
const indices16 = Uint8Array.of(0, 0, 0, 5, 6, 7, 7, 7, 1, 2, 3, 15, 15, 9, 9);
const indices2 = indices16.map((v) => v & 1);
const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 17 + 3) % 256);

function expand(indices: Uint8Array, pal: Rgb[]): number[] {
  return [...indices].flatMap((i) => pal[i]);
}

/** What a bitfield round trip gives: 8 bits → `bits` (rounded) → 8 bits with round(v·255/max). */
function viaBits(v: number, bits: number): number {
  const max = 2 ** bits - 1;
  return Math.round((Math.round((v * max) / 255) * 255) / max);
}

const variants: { name: string; spec: BmpSpec; expected: number[]; channels: 3 | 4; pil: boolean }[] = [
  { name: '1-bit palette', spec: { width: W, height: H, bpp: 1, palette: palette.slice(0, 2), indices: indices2 }, expected: expand(indices2, palette), channels: 3, pil: true },
  { name: '4-bit palette', spec: { width: W, height: H, bpp: 4, palette, indices: indices16 }, expected: expand(indices16, palette), channels: 3, pil: true },
  { name: '8-bit palette', spec: { width: W, height: H, bpp: 8, palette, indices: indices16 }, expected: expand(indices16, palette), channels: 3, pil: true },
  { name: '8-bit palette, OS/2 core header', spec: { width: W, height: H, bpp: 8, palette, indices: indices16, header: 'core' }, expected: expand(indices16, palette), channels: 3, pil: true },
  { name: 'RLE8', spec: { width: W, height: H, bpp: 8, compression: 'rle', palette, indices: indices16 }, expected: expand(indices16, palette), channels: 3, pil: true },
  { name: 'RLE4', spec: { width: W, height: H, bpp: 4, compression: 'rle', palette, indices: indices16 }, expected: expand(indices16, palette), channels: 3, pil: true },
  { name: '24-bit bottom-up', spec: { width: W, height: H, bpp: 24, rgb }, expected: [...rgb], channels: 3, pil: true },
  { name: '24-bit top-down', spec: { width: W, height: H, bpp: 24, rgb, topDown: true }, expected: [...rgb], channels: 3, pil: true },
  { name: '24-bit OS/2 core header', spec: { width: W, height: H, bpp: 24, rgb, header: 'core' }, expected: [...rgb], channels: 3, pil: true },
  { name: '32-bit BI_RGB (fourth byte ignored)', spec: { width: W, height: H, bpp: 32, rgb, filler: 77 }, expected: [...rgb], channels: 3, pil: true },
  { name: '16-bit 555 BI_RGB', spec: { width: W, height: H, bpp: 16, rgb }, expected: [...rgb].map((v) => viaBits(v, 5)), channels: 3, pil: false },
  {
    name: '16-bit 565 bitfields',
    spec: { width: W, height: H, bpp: 16, rgb, compression: 'bitfields', masks: { r: 0xf800, g: 0x07e0, b: 0x001f } },
    expected: [...rgb].map((v, i) => viaBits(v, i % 3 === 1 ? 6 : 5)),
    channels: 3,
    pil: false,
  },
];

const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i * 29 + 11) % 256);
variants.push(
  {
    name: '32-bit bitfields with alpha (V4 header)',
    spec: { width: W, height: H, bpp: 32, rgb: rgba, compression: 'bitfields', masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 } },
    expected: [...rgba],
    channels: 4,
    pil: true,
  },
  {
    name: '16-bit 4444 bitfields with alpha',
    spec: { width: W, height: H, bpp: 16, rgb: rgba, compression: 'bitfields', masks: { r: 0x0f00, g: 0x00f0, b: 0x000f, a: 0xf000 } },
    expected: [...rgba].map((v) => viaBits(v, 4)),
    channels: 4,
    pil: false,
  },
  {
    name: '32-bit bitfields, top-down, masks in BGR order',
    spec: { width: W, height: H, bpp: 32, rgb, topDown: true, compression: 'bitfields', masks: { r: 0xff, g: 0xff00, b: 0xff0000 } },
    expected: [...rgb],
    channels: 3,
    pil: false,
  },
);

for (const v of variants) {
  test(`BMP ${v.name}: decodes to the pixels written`, () => {
    const out = decodeBmp(encodeBmp(v.spec), 'x.bmp', 0);
    assert.deepEqual([out.width, out.height, out.channels], [W, H, v.channels]);
    assert.deepEqual([...out.data], v.expected);
  });
}

test('BMP variants agree with PIL where PIL reads them', async (t) => {
  const dir = await tempDir(t);
  const chosen = variants.filter((v) => v.pil);
  const files = await Promise.all(
    chosen.map(async (v, i) => {
      const file = join(dir, `${i}.bmp`);
      await writeFile(file, encodeBmp(v.spec));
      return file;
    }),
  );
  const pil = await py<number[][]>(
    `import sys, json
from PIL import Image
out = []
for f in sys.argv[1:]:
    im = Image.open(f)
    mode = 'RGBA' if im.mode == 'RGBA' else 'RGB'
    out.append([c for px in im.convert(mode).getdata() for c in px])
print(json.dumps(out))`,
    files,
  );
  chosen.forEach((v, i) => assert.deepEqual([...decodeBmp(encodeBmp(v.spec), 'x.bmp', 0).data], pil[i], v.name));
});

test('an alpha mask whose alpha bytes are all zero means opaque', () => {
  const clear = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 0 : 60));
  const out = decodeBmp(encodeBmp({ width: W, height: H, bpp: 32, rgb: clear, compression: 'bitfields', masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 } }), 'x.bmp', 0);
  assert.deepEqual([...out.data.subarray(0, 8)], [60, 60, 60, 255, 60, 60, 60, 255]);
});

test('RLE8: delta, absolute runs and end-of-line codes, skipped pixels keep index 0', () => {
  // Row 0: run of 2×7, delta (+1, 0), absolute [1, 2, 3]; row 1: end-of-line at once; row 2: 4×9, EOB.
  const data = Uint8Array.of(2, 7, 0, 2, 1, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 4, 9, 0, 1);
  const r = decodeRle(data, 8, 6, 3);
  assert.equal(r.complete, true);
  assert.deepEqual([...r.indices], [7, 7, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 0, 0]);
});

test('RLE4: encoded runs alternate nibbles, absolute runs pad to 16 bits', () => {
  const data = Uint8Array.of(5, 0x12, 0, 3, 0x34, 0x50, 0, 1);
  const r = decodeRle(data, 4, 8, 1);
  assert.deepEqual([...r.indices], [1, 2, 1, 2, 1, 3, 4, 5]);
  assert.equal(r.complete, true);
});

test('RLE data that ends before the last row is incomplete', () => {
  assert.equal(decodeRle(Uint8Array.of(2, 7, 0, 0), 8, 2, 3).complete, false);
  const file = encodeBmp({ width: W, height: H, bpp: 8, compression: 'rle', palette, indices: indices16 });
  assert.throws(() => decodeBmp(file.subarray(0, file.length - 6), '/d/x.bmp', 0), { code: 'unreadable-image', message: /Cannot decode \/d\/x\.bmp: truncated BMP \(RLE8 data ends early\)/ });
});

test('parseBmpHeader reads size and layout without the pixels', () => {
  const file = encodeBmp({ width: W, height: H, bpp: 24, rgb, topDown: true });
  const h = parseBmpHeader(file.subarray(0, 60), 'x.bmp');
  assert.deepEqual([h.width, h.height, h.topDown, h.bitsPerPixel, h.compression, h.dataOffset], [W, H, true, 24, 0, 54]);
});

function patched(spec: BmpSpec, at: number, value: number, size: 2 | 4 = 4): Buffer {
  const buf = encodeBmp(spec);
  if (size === 2) buf.writeUInt16LE(value, at);
  else buf.writeInt32LE(value, at);
  return buf;
}

test('damaged and unsupported BMPs are refused by name', () => {
  const base: BmpSpec = { width: W, height: H, bpp: 24, rgb };
  const file = encodeBmp(base);
  const cases: [string, Buffer, RegExp][] = [
    ['file header only', file.subarray(0, 16), /truncated BMP \(file header\)/],
    ['info header cut', file.subarray(0, 30), /truncated BMP \(info header\)/],
    ['pixels cut', file.subarray(0, file.length - 20), /truncated BMP \(pixel data needs 47 bytes from offset 54, file has 82 bytes\)/],
    ['header size 20', patched(base, 14, 20), /BMP header size 20 not supported/],
    ['2 bits per pixel', patched(base, 28, 2, 2), /BMP with 2 bits per pixel not supported/],
    ['zero width', patched(base, 18, 0), /invalid BMP size 0x3/],
    ['zero height', patched(base, 22, 0), /invalid BMP size 5x0/],
    ['embedded JPEG', encodeBmp({ ...base, compression: 'jpeg' }), /BMP compression 4 \(embedded JPEG\) with 24-bit pixels not supported/],
    ['embedded PNG', patched(base, 30, 5), /BMP compression 5 \(embedded PNG\)/],
    ['bitfields on 24-bit', patched(base, 30, 3), /BMP compression 3 \(bitfields\) with 24-bit pixels not supported/],
    ['RLE8 on 4-bit', patched({ width: W, height: H, bpp: 4, palette, indices: indices16 }, 30, 1), /BMP compression 1 with 4-bit pixels not supported/],
    ['non-contiguous mask', encodeBmp({ width: 1, height: 1, bpp: 16, rgb: Uint8Array.of(0, 0, 0), compression: 'bitfields', masks: { r: 0xf0f0, g: 0x0f00, b: 0x000f } }), /BMP bitfield mask 0xf0f0 is not contiguous/],
  ];
  for (const [what, buf, message] of cases) {
    assert.throws(() => decodeBmp(buf, '/d/bad.bmp', 0), (err: unknown) => {
      assert.ok(err instanceof Img2npyError, what);
      assert.equal(err.code, 'unreadable-image', what);
      assert.equal(err.file, '/d/bad.bmp', what);
      assert.match(err.message, /^Cannot decode \/d\/bad\.bmp: /, what);
      assert.match(err.message, message, what);
      return true;
    });
  }
});

test('the last row may lack its padding bytes', () => {
  const file = encodeBmp({ width: W, height: H, bpp: 24, rgb, topDown: true });
  assert.deepEqual([...decodeBmp(file.subarray(0, file.length - 1), 'x.bmp', 0).data], [...rgb]);
});

test('maxPixels refuses a large header before any pixel is read', () => {
  const file = encodeBmp({ width: W, height: H, bpp: 24, rgb });
  assert.equal(decodeBmp(file, 'x.bmp', W * H).width, W);
  assert.throws(() => decodeBmp(file, '/d/x.bmp', W * H - 1), { code: 'image-too-large', message: /\/d\/x\.bmp: 5x3 is 15 pixels, more than the limit of 14/ });
  // A header claiming 100000x100000 with no pixel data: refused by size, not by truncation.
  const huge = encodeBmp({ width: 1, height: 1, bpp: 24, rgb: Uint8Array.of(0, 0, 0) });
  huge.writeInt32LE(100000, 18);
  huge.writeInt32LE(100000, 22);
  assert.throws(() => decodeBmp(huge, 'h.bmp', 0x3fff * 0x3fff), { code: 'image-too-large' });
  assert.throws(() => decodeBmp(huge, 'h.bmp', 0), { code: 'unreadable-image', message: /truncated BMP/ });
  // RLE data has no size to check against, so an unlimited plan stops at what memory can hold.
  const rle = encodeBmp({ width: 1, height: 1, bpp: 8, compression: 'rle', palette, indices: Uint8Array.of(0) });
  rle.writeInt32LE(100000, 18);
  rle.writeInt32LE(100000, 22);
  assert.throws(() => decodeBmp(rle, 'r.bmp', 0), { code: 'image-too-large', message: /a 100000x100000 BMP is too large to hold in memory/ });
});

test('decodeImage: a BMP converts and resizes exactly as a PNG of the same pixels, without sharp where the PNG goes without (up to 512x512)', async (t) => {
  const dir = await tempDir(t);
  const w = 23;
  const h = 17;
  const opaque = Uint8Array.from({ length: w * h * 3 }, (_, i) => ((i % (w * 3)) * 5 + Math.floor(i / (w * 3)) * 9 + (i % 7) * 13) % 256);
  const alpha = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? (i * 7) % 256 : opaque[Math.floor(i / 4) * 3 + (i % 4)]));
  const cases = [
    { name: 'rgb', bmp: encodeBmp({ width: w, height: h, bpp: 24, rgb: opaque }), raw: opaque, channels: 3 },
    { name: 'rgba', bmp: encodeBmp({ width: w, height: h, bpp: 32, rgb: alpha, compression: 'bitfields', masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 } }), raw: alpha, channels: 4 },
  ] as const;
  const geometries = [null, { height: 8, width: 11, mode: 'crop' }, { height: 40, width: 30, mode: 'pad' }, { height: 17, width: 23, mode: 'stretch' }] as const;
  for (const c of cases) {
    const bmpFile = join(dir, `${c.name}.bmp`);
    const pngFile = join(dir, `${c.name}.png`);
    await writeFile(bmpFile, c.bmp);
    await sharp(c.raw, { raw: { width: w, height: h, channels: c.channels } }).png().toFile(pngFile);
    for (const channels of [1, 3, 4] as const) {
      for (const alphaMode of ['drop', 'white', 'black'] as const) {
        for (const g of geometries) {
          const plan: DecodePlan = { channels, alpha: alphaMode, exif: true, maxPixels: 1e6, fastShrink: true, geometry: g && { ...g, interpolation: 'bilinear', antialias: true, padValue: 3 } };
          const what = `${c.name} → ${channels}/${alphaMode} ${g ? `${g.mode} ${g.width}x${g.height}` : 'as is'}`;
          const [fromBmp, fromPng] = [await decodeImage(bmpFile, plan), await decodeImage(pngFile, plan)];
          assert.deepEqual([fromBmp.width, fromBmp.height, fromBmp.channels], [fromPng.width, fromPng.height, fromPng.channels], what);
          assert.ok(Buffer.from(fromBmp.data).equals(Buffer.from(fromPng.data)), `${what}: pixels differ`);
          assert.equal(fromBmp.decoder, fromPng.decoder && 'img2npy BMP reader', `${what}: decoder`);
        }
      }
    }
  }
  // Either side of the readers' size limit: our resampler up to 512x512, sharp above, for both formats.
  for (const [bw, bh] of [[512, 512], [513, 512]]) {
    const rgb = Uint8Array.from({ length: bw * bh * 3 }, (_, i) => (i * 7 + (i % 11) * 29) % 256);
    const bmpFile = join(dir, `${bw}x${bh}.bmp`);
    const pngFile = join(dir, `${bw}x${bh}.png`);
    await writeFile(bmpFile, encodeBmp({ width: bw, height: bh, bpp: 24, rgb }));
    await sharp(rgb, { raw: { width: bw, height: bh, channels: 3 } }).png().toFile(pngFile);
    const plan: DecodePlan = { channels: 3, alpha: 'drop', exif: true, maxPixels: 1e6, fastShrink: true, geometry: { height: 64, width: 64, mode: 'crop', interpolation: 'bilinear', antialias: true, padValue: 0 } };
    const [fromBmp, fromPng] = [await decodeImage(bmpFile, plan), await decodeImage(pngFile, plan)];
    assert.ok(Buffer.from(fromBmp.data).equals(Buffer.from(fromPng.data)), `${bw}x${bh}: pixels differ`);
    assert.equal(fromBmp.decoder, bw * bh <= 512 * 512 ? 'img2npy BMP reader' : undefined, `${bw}x${bh}: decoder`);
  }
});
