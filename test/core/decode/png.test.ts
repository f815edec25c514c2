import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage, decodeWithSharp } from '../../../src/core/decode/image.js';
import { decodePngFast, fastPngMaxPixels } from '../../../src/core/decode/png.js';
import type { DecodedImage, DecodePlan } from '../../../src/core/types.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { gradient } from '../../helpers/fixtures.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

type ColorType = 0 | 2 | 3 | 4 | 6;
const depthsOf: Record<ColorType, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const sppOf: Record<ColorType, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

interface Spec {
  width: number;
  height: number;
  colorType: ColorType;
  depth: number;
  /** Samples row-major (palette indices for type 3), each below 2^depth. */
  samples: ArrayLike<number>;
  palette?: number[];
  /** Raw tRNS chunk body. */
  trns?: Uint8Array;
  /** Filter type per row (default y % 5, so every filter appears). */
  filter?: (y: number) => number;
  /** Chunks [type, body] written before IDAT, and after IEND is left out when noEnd. */
  extra?: [string, Uint8Array][];
  noEnd?: boolean;
  /** Adam7-interlaced. */
  interlace?: boolean;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

const paethOf = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** Adam7's passes (first column, first row, column step, row step), as the PNG specification lists them. */
const adam7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Packs samples into rows and filters each row with its own filter type, as an encoder would;
 * interlaced, each Adam7 pass is a small image of its own, filtered on its own (no pixel, no bytes).
 */
function encodeSpec(s: Spec): Buffer {
  const spp = sppOf[s.colorType];
  const bpp = Math.max(1, (spp * s.depth) >> 3);
  const filterOf = s.filter ?? ((r: number) => r % 5);
  const parts: Uint8Array[] = [];
  let rowCount = 0;
  for (const [x0, y0, dx, dy] of s.interlace ? adam7 : [[0, 0, 1, 1]]) {
    const width = Math.ceil((s.width - x0) / dx);
    const height = Math.ceil((s.height - y0) / dy);
    if (width <= 0 || height <= 0) continue;
    const rowBytes = Math.ceil((width * spp * s.depth) / 8);
    const rows: Uint8Array[] = [];
    for (let y = 0; y < height; y++) {
      const row = new Uint8Array(rowBytes);
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < spp; c++) {
          const i = x * spp + c;
          const v = s.samples[((y0 + y * dy) * s.width + x0 + x * dx) * spp + c];
          if (s.depth === 16) {
            row[i * 2] = v >> 8;
            row[i * 2 + 1] = v & 0xff;
          } else if (s.depth === 8) row[i] = v;
          else row[(i * s.depth) >> 3] |= v << (8 - s.depth - ((i * s.depth) & 7));
        }
      }
      rows.push(row);
    }
    const out = new Uint8Array((rowBytes + 1) * height);
    const zero = new Uint8Array(rowBytes);
    for (let y = 0; y < height; y++) {
      const f = filterOf(rowCount++);
      const cur = rows[y];
      const up = y > 0 ? rows[y - 1] : zero;
      const at = y * (rowBytes + 1);
      out[at] = f;
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? cur[i - bpp] : 0;
        const c = i >= bpp ? up[i - bpp] : 0;
        const pred = [0, a, up[i], (a + up[i]) >> 1, paethOf(a, up[i], c)][f] ?? 0;
        out[at + 1 + i] = (cur[i] - pred) & 0xff;
      }
    }
    parts.push(out);
  }
  const stream = Buffer.concat(parts);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(s.width, 0);
  ihdr.writeUInt32BE(s.height, 4);
  ihdr[8] = s.depth;
  ihdr[9] = s.colorType;
  ihdr[12] = s.interlace ? 1 : 0;
  const file = [Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr)];
  for (const [type, body] of s.extra ?? []) file.push(chunk(type, body));
  if (s.palette) file.push(chunk('PLTE', Uint8Array.from(s.palette)));
  if (s.trns) file.push(chunk('tRNS', s.trns));
  file.push(chunk('IDAT', deflateSync(stream)));
  if (!s.noEnd) file.push(chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(file);
}

/** Deterministic pseudo-random samples below 2^depth, with 0 and the maximum always present. */
function samples(n: number, depth: number, seed: number): number[] {
  const max = depth === 16 ? 65535 : (1 << depth) - 1;
  let x = seed * 2654435761 + 1;
  const extremes = depth === 16 ? [0, max, 65280, 32896, 257, 128] : [0, max];
  return Array.from({ length: n }, (_, i) => {
    if (i < extremes.length) return extremes[i];
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % (max + 1);
  });
}

const u16s = (...v: number[]) => {
  const b = Buffer.alloc(v.length * 2);
  v.forEach((x, i) => b.writeUInt16BE(x, i * 2));
  return b;
};

/** Every colour type × bit depth, with and without tRNS where PNG allows one. */
function specs(width: number, height: number): { name: string; spec: Spec }[] {
  const out: { name: string; spec: Spec }[] = [];
  for (const colorType of [0, 2, 3, 4, 6] as ColorType[]) {
    for (const depth of depthsOf[colorType]) {
      const n = width * height * sppOf[colorType];
      const seed = colorType * 100 + depth;
      if (colorType === 3) {
        const entries = Math.min(1 << depth, 7);
        const s = samples(n, 8, seed).map((v) => v % entries);
        const palette = samples(entries * 3, 8, seed + 1);
        out.push({ name: `palette/${depth}`, spec: { width, height, colorType, depth, samples: s, palette } });
        const trns = Uint8Array.from(samples(entries - 1, 8, seed + 2)); // shorter than the palette
        out.push({ name: `palette/${depth}+tRNS`, spec: { width, height, colorType, depth, samples: s, palette, trns } });
        continue;
      }
      const s = samples(n, depth, seed);
      out.push({ name: `type${colorType}/${depth}`, spec: { width, height, colorType, depth, samples: s } });
      if (colorType === 0) out.push({ name: `grey/${depth}+tRNS`, spec: { width, height, colorType, depth, samples: s, trns: u16s(s[s.length - 1]) } });
      if (colorType === 2) out.push({ name: `rgb/${depth}+tRNS`, spec: { width, height, colorType, depth, samples: s, trns: u16s(s[n - 3], s[n - 2], s[n - 1]) } });
    }
  }
  return out;
}

const basePlan: DecodePlan = { channels: 3, alpha: 'drop', exif: true, maxPixels: 0x3fff * 0x3fff, geometry: null, fastShrink: true };
const plans: DecodePlan[] = ([1, 3, 4] as const).flatMap((channels) => (['drop', 'white', 'black'] as const).map((alpha) => ({ ...basePlan, channels, alpha })));

async function viaSharp(file: string, plan: DecodePlan): Promise<DecodedImage> {
  return decodeWithSharp(await readFile(file), file, 'png', plan);
}

function assertSame(fast: DecodedImage, slow: DecodedImage, what: string): void {
  assert.deepEqual([fast.width, fast.height, fast.channels], [slow.width, slow.height, slow.channels], what);
  assert.ok(Buffer.from(fast.data).equals(Buffer.from(slow.data)), `${what}: pixels differ`);
}

async function checkAll(dir: string, width: number, height: number, interlace = false): Promise<void> {
  for (const { name, spec } of specs(width, height)) {
    const file = join(dir, `${name.replace(/\W/g, '_')}-${width}x${height}${interlace ? '-adam7' : ''}.png`);
    const bytes = encodeSpec({ ...spec, interlace });
    await writeFile(file, bytes);
    assert.ok(decodePngFast(bytes, { exif: true, maxPixels: fastPngMaxPixels }), `${name}: fast path taken`);
    for (const plan of plans) assertSame(await decodeImage(file, plan), await viaSharp(file, plan), `${name} ${width}x${height}${interlace ? ' Adam7' : ''} ${plan.channels}/${plan.alpha}`);
  }
}

test('every colour type and bit depth, every filter, equals the sharp path byte for byte', async (t) => {
  const dir = await tempDir(t);
  await checkAll(dir, 13, 7); // odd width: sub-byte rows end mid-byte
  await checkAll(dir, 1, 1);
  await checkAll(dir, 3, 10);
});

test('Adam7-interlaced: every colour type and bit depth equals the sharp path, empty passes included', async (t) => {
  const dir = await tempDir(t);
  // 13x7 and 17x11 fill every pass with odd remainders; 1x1, 3x10 and 5x2 leave some passes empty.
  for (const [w, h] of [[13, 7], [17, 11], [1, 1], [3, 10], [5, 2]]) await checkAll(dir, w, h, true);
});

test('geometry equal to the image size is the identity in every mode and kernel', async (t) => {
  const dir = await tempDir(t);
  const modes = ['stretch', 'crop', 'pad'] as const;
  const kernels = ['nearest', 'bilinear', 'bicubic', 'area', 'lanczos3'] as const;
  for (const { name, spec } of specs(9, 6).filter((s) => /type4\/8|type6\/16|palette\/2\+tRNS|grey\/8|type2\/8/.test(s.name))) {
    const file = join(dir, `${name.replace(/\W/g, '_')}.png`);
    await writeFile(file, encodeSpec(spec));
    for (const plan of plans) {
      for (const mode of modes) {
        for (const interpolation of kernels) {
          const p: DecodePlan = { ...plan, geometry: { height: 6, width: 9, mode, interpolation, antialias: true, padValue: 7 } };
          assertSame(await decodeImage(file, p), await viaSharp(file, p), `${name} ${mode} ${interpolation} ${plan.channels}/${plan.alpha}`);
        }
      }
    }
  }
  // A different size resamples on the fast path too: as PIL's antialiased bilinear resize.
  const file = join(dir, 'small.png');
  await writeFile(file, encodeSpec(specs(9, 6)[3].spec));
  const p: DecodePlan = { ...basePlan, geometry: { height: 3, width: 9, mode: 'stretch', interpolation: 'bilinear', antialias: true, padValue: 0 } };
  const resized = await decodeImage(file, p);
  assert.equal(resized.decoder, 'img2npy PNG reader');
  const pil = await py<number[]>(`import sys, json\nfrom PIL import Image\nprint(json.dumps(list(Image.open(sys.argv[1]).convert('RGB').resize((9, 3), Image.BILINEAR).tobytes())))`, [file]);
  assert.deepEqual([...resized.data], pil);
});

test('filters 0-4 decode to what PIL reads', async (t) => {
  const dir = await tempDir(t);
  const cases: [ColorType, 1 | 3 | 4][] = [[0, 1], [2, 3], [6, 4]];
  for (const [colorType, channels] of cases) {
    for (const filter of [0, 1, 2, 3, 4]) {
      const s = samples(11 * 5 * sppOf[colorType], 8, filter + colorType);
      const file = join(dir, `f${filter}-${colorType}.png`);
      await writeFile(file, encodeSpec({ width: 11, height: 5, colorType, depth: 8, samples: s, filter: () => filter }));
      const ours = await decodeImage(file, { ...basePlan, channels });
      const pil = await py<number[]>(`import sys, json, numpy as np\nfrom PIL import Image\nprint(json.dumps(np.asarray(Image.open(sys.argv[1])).reshape(-1).tolist()))`, [file]);
      assert.deepEqual([...ours.data], pil, `filter ${filter}, colour type ${colorType}`);
      assert.deepEqual([...ours.data], s, `filter ${filter}, colour type ${colorType}: samples`);
    }
  }
});

test('ancillary chunks change nothing: values are as stored, as on the sharp path', async (t) => {
  const dir = await tempDir(t);
  const gama = (g: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(g, 0);
    return b;
  };
  const extras: [string, [string, Uint8Array][]][] = [
    ['gAMA 0.45455', [['gAMA', gama(45455)]]],
    ['gAMA 1.0', [['gAMA', gama(100000)]]],
    ['sRGB', [['sRGB', Uint8Array.of(0)]]],
    ['sBIT', [['sBIT', Uint8Array.of(5, 6, 5)]]],
    ['cHRM+pHYs', [['cHRM', new Uint8Array(32).fill(1)], ['pHYs', Uint8Array.of(0, 0, 11, 19, 0, 0, 11, 19, 1)]]],
    ['junk iCCP', [['iCCP', Buffer.concat([Buffer.from('junk\0\0', 'latin1'), deflateSync(Buffer.alloc(200, 7))])]]],
    ['text + private', [['tEXt', Buffer.from('Comment\0hello', 'latin1')], ['prVt', Uint8Array.of(1, 2, 3)]]],
  ];
  for (const [name, extra] of extras) {
    const file = join(dir, `${name.replace(/\W/g, '_')}.png`);
    const bytes = encodeSpec({ width: 8, height: 4, colorType: 2, depth: 8, samples: samples(96, 8, 3), extra });
    await writeFile(file, bytes);
    assert.ok(decodePngFast(bytes, { exif: true, maxPixels: 1e6 }), name);
    for (const plan of plans) assertSame(await decodeImage(file, plan), await viaSharp(file, plan), `${name} ${plan.channels}/${plan.alpha}`);
  }
});

/** A minimal big-endian EXIF block with Orientation = `o`. */
function exifOrientation(o: number): Buffer {
  return Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 1, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0]);
}

test('eXIf: sharp applies the orientation when plan.exif is on; otherwise the fast path decodes', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'exif.png');
  const bytes = encodeSpec({ width: 5, height: 3, colorType: 0, depth: 8, samples: samples(15, 8, 9), extra: [['eXIf', exifOrientation(6)]] });
  await writeFile(file, bytes);
  assert.equal(decodePngFast(bytes, { exif: true, maxPixels: 1e6 }), null);
  const rotated = await decodeImage(file, basePlan);
  assert.deepEqual([rotated.width, rotated.height], [3, 5]);
  assertSame(rotated, await viaSharp(file, basePlan), 'exif on');
  const plain: DecodePlan = { ...basePlan, exif: false };
  assert.ok(decodePngFast(bytes, { exif: false, maxPixels: 1e6 }));
  assertSame(await decodeImage(file, plain), await viaSharp(file, plain), 'exif off');
});

test("interlaced PNGs, from libpng's encoder or ours, read as stored; over-limit and large ones go to sharp", async (t) => {
  const dir = await tempDir(t);
  const g = gradient(20, 9);
  const interlaced = await sharp(g.data, { raw: { width: 20, height: 9, channels: 3 } }).png({ progressive: true }).toBuffer();
  assert.equal(interlaced[8 + 8 + 12], 1, 'fixture is interlaced');
  assert.deepEqual([...(decodePngFast(interlaced, { exif: true, maxPixels: 1e6 })?.data ?? [])], [...g.data]);
  const file = join(dir, 'adam7.png');
  await writeFile(file, interlaced);
  const img = await decodeImage(file, basePlan);
  assert.equal(img.decoder, 'img2npy PNG reader');
  assert.deepEqual([...img.data], [...g.data]);
  // Our own interlaced writer (the Adam7 test's fixtures) read by PIL as by us.
  const spec: Spec = { width: 11, height: 6, colorType: 3, depth: 2, samples: samples(66, 8, 5).map((v) => v % 4), palette: samples(12, 8, 6), interlace: true };
  const ours = join(dir, 'ours-adam7.png');
  await writeFile(ours, encodeSpec(spec));
  const pil = await py<number[]>(`import sys, json, numpy as np\nfrom PIL import Image\nprint(json.dumps(np.asarray(Image.open(sys.argv[1]).convert('RGB')).reshape(-1).tolist()))`, [ours]);
  assert.deepEqual([...(await decodeImage(ours, basePlan)).data], pil);

  const bytes = encodeSpec({ width: 4, height: 4, colorType: 0, depth: 8, samples: samples(16, 8, 1) });
  assert.equal(decodePngFast(bytes, { exif: true, maxPixels: 15 }), null);
  const small = join(dir, 'small.png');
  await writeFile(small, bytes);
  await assert.rejects(decodeImage(small, { ...basePlan, maxPixels: 15 }), (e: Img2npyError) => e.code === 'image-too-large');
});

/** Either both paths throw the same error, or both give the same pixels. */
async function sameOutcome(file: string, plan: DecodePlan, what: string): Promise<Img2npyError | null> {
  const settle = (p: Promise<DecodedImage>) => p.then((v) => ({ v, e: null }), (e: Img2npyError) => ({ v: null, e }));
  const [a, b] = [await settle(decodeImage(file, plan)), await settle(viaSharp(file, plan))];
  if (a.v && b.v) assertSame(a.v, b.v, what);
  else assert.deepEqual([a.e?.code, a.e?.message], [b.e?.code, b.e?.message], what);
  return a.e;
}

test('damaged PNGs: unreadable-image naming the file, as the sharp path says it', async (t) => {
  const dir = await tempDir(t);
  const good: Spec = { width: 16, height: 16, colorType: 2, depth: 8, samples: samples(768, 8, 4) };
  const bytes = encodeSpec(good);
  const idatAt = bytes.indexOf('IDAT', 0, 'latin1');
  const idatLen = bytes.readUInt32BE(idatAt - 4);
  const flip = (at: number) => {
    const b = Buffer.from(bytes);
    b[at] ^= 0x55;
    return b;
  };
  const mustFail: [string, Buffer][] = [
    ['cut in IDAT', bytes.subarray(0, idatAt + 4 + (idatLen >> 1))],
    ['cut in IHDR', bytes.subarray(0, 20)],
    ['signature only', bytes.subarray(0, 8)],
    ['zlib damaged, CRC right', encodeSpec({ ...good, filter: () => 9 })],
    ['rows missing', (() => {
      const short = encodeSpec({ ...good, height: 10 });
      const b = Buffer.from(short);
      b.writeUInt32BE(16, 20); // IHDR claims 16 rows; its CRC is fixed below
      b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
      return b;
    })()],
  ];
  for (const [name, b] of mustFail) {
    const file = join(dir, `${name.replace(/\W/g, '_')}.png`);
    await writeFile(file, b);
    assert.equal(decodePngFast(b, { exif: true, maxPixels: 1e6 }), null, name);
    const err = await sameOutcome(file, basePlan, name);
    assert.ok(err, `${name}: refused`);
    assert.equal(err.code, 'unreadable-image', name);
    assert.ok(err.message.includes(file), `${name}: ${err.message}`);
  }
  // Whatever libpng makes of these, the fast path steps aside and the result is sharp's.
  const undecided: [string, Buffer][] = [
    ['IDAT CRC', flip(idatAt + 4 + idatLen + 1)],
    ['IDAT data', flip(idatAt + 4 + 20)],
    ['no IEND', encodeSpec({ ...good, noEnd: true })],
    ['tRNS CRC', (() => {
      const b = encodeSpec({ ...good, colorType: 3, samples: samples(256, 8, 1).map((v) => v % 4), palette: samples(12, 8, 2), trns: Uint8Array.of(0, 50) });
      b[b.indexOf('tRNS', 0, 'latin1') + 6] ^= 1;
      return b;
    })()],
    ['palette index past PLTE', encodeSpec({ ...good, colorType: 3, samples: samples(256, 8, 1).map((v) => v % 6), palette: samples(12, 8, 2) })],
    ['tRNS out of range', encodeSpec({ ...good, colorType: 0, depth: 4, samples: samples(256, 4, 1), trns: u16s(300) })],
    ['unknown critical chunk', encodeSpec({ ...good, extra: [['CRIT', Uint8Array.of(1)]] })],
    ['rows beyond the height', (() => {
      const b = Buffer.from(bytes);
      b.writeUInt32BE(10, 20); // IHDR claims 10 of the 16 rows the stream holds; its CRC is fixed
      b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
      return b;
    })()],
  ];
  for (const [name, b] of undecided) {
    const file = join(dir, `${name.replace(/\W/g, '_')}.png`);
    await writeFile(file, b);
    assert.equal(decodePngFast(b, { exif: true, maxPixels: 1e6 }), null, name);
    const err = await sameOutcome(file, basePlan, name);
    if (err) assert.ok(err.code === 'unreadable-image' && err.message.includes(file), `${name}: ${err.message}`);
  }
});
