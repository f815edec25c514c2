import assert from 'node:assert/strict';
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeImage } from '../../../src/core/decode/image.js';
import { plausibleBytes } from '../../../src/core/decode/size-bound.js';
import type { DecodePlan } from '../../../src/core/types.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const plan: DecodePlan = { channels: 3, alpha: 'drop', exif: true, maxPixels: 0x3fff * 0x3fff, fastShrink: true, geometry: null };

/** Real files written by Pillow: name → format it is saved as, with its options. */
const writers: Record<string, string> = {
  'x.webp': "im.save(p, 'WEBP', quality=80)",
  'anim.webp': "im.save(p, 'WEBP', save_all=True, append_images=[im.rotate(90), im.rotate(180)], duration=50)",
  'x.tif': "im.save(p, 'TIFF')",
  'x-lzw.tif': "im.save(p, 'TIFF', compression='tiff_lzw')",
  'x.bmp': "im.save(p, 'BMP')",
  'grey.bmp': "im.convert('L').save(p, 'BMP')",
  'x.gif': "im.convert('P').save(p, 'GIF')",
};

async function makeFiles(dir: string): Promise<void> {
  await py(`
import sys, json
from PIL import Image
im = Image.linear_gradient('L').resize((67, 45)).convert('RGB')
for name, stmt in json.loads(sys.argv[2]).items():
    p = sys.argv[1] + '/' + name
    exec(stmt)
# A big XMP packet: a TIFF's own tags may carry far more than 16 MiB of metadata legitimately.
im.save(sys.argv[1] + '/xmp.tif', 'TIFF', tiffinfo={700: b'<x:xmpmeta/>' + b' ' * (20 << 20)})
im.save(sys.argv[1] + '/pages.tif', 'TIFF', save_all=True, append_images=[im, im])
print('null')`, [dir, JSON.stringify(writers)]);
}

test('WebP, TIFF and BMP files far larger than their headers allow are refused after reading their heads', async (t) => {
  const dir = await tempDir(t);
  await makeFiles(dir);
  const labels: Record<string, string> = { webp: 'WebP', tif: 'TIFF', bmp: 'BMP' };
  for (const name of ['x.webp', 'anim.webp', 'x.tif', 'x-lzw.tif', 'x.bmp', 'grey.bmp']) {
    const file = join(dir, name);
    const img = await decodeImage(file, plan);
    assert.deepEqual([img.width, img.height], [67, 45], name);
    await truncate(file, 1.5e9); // sparse: the real head, then zeros nobody should read
    const label = labels[name.split('.').pop()!];
    await assert.rejects(decodeImage(file, plan), { code: 'unreadable-image', message: new RegExp(`${name.replace('.', '\\.')}: 1\\.5 GB is far more than its ${label} header says it could need \\(\\d+\\.\\d MB\\); not read`) }, name);
  }
});

test('a BMP with RLE8 pixels (every pixel spelled out: RLE’s worst case) decodes, and is refused when far larger than its header allows', async (t) => {
  const dir = await tempDir(t);
  // Noise is RLE8's worst case: no runs, every pixel spelled out.
  const file = join(dir, 'rle.bmp');
  await py(`
import sys, random
from PIL import Image
random.seed(3)
im = Image.new('L', (61, 40)); im.putdata([random.randrange(256) for _ in range(61 * 40)])
# Pillow cannot write RLE8: spell each pixel as a run of one (the worst case) by hand.
import struct
rows = b''.join(b''.join(bytes([1, im.getpixel((x, y))]) for x in range(61)) + b'\\x00\\x00' for y in reversed(range(40))) + b'\\x00\\x01'
pal = b''.join(bytes([i, i, i, 0]) for i in range(256))
off = 14 + 40 + len(pal)
hdr = b'BM' + struct.pack('<IHHI', off + len(rows), 0, 0, off) + struct.pack('<IiiHHIIiiII', 40, 61, 40, 1, 8, 1, len(rows), 2835, 2835, 256, 0)
open(sys.argv[1], 'wb').write(hdr + pal + rows)
print('null')`, [file]);
  const bytes = await readFile(file);
  assert.ok(bytes.length <= plausibleBytes('bmp', bytes)!);
  const img = await decodeImage(file, plan);
  assert.deepEqual([img.width, img.height], [61, 40]);
  await truncate(file, 1.5e9);
  await assert.rejects(decodeImage(file, plan), { code: 'unreadable-image', message: /rle\.bmp: 1\.5 GB is far more than its BMP header says/ });
});

test('a TIFF’s big tag data counts toward its bound; GIF and multi-page TIFF stay unbounded', async (t) => {
  const dir = await tempDir(t);
  await makeFiles(dir);
  const head = async (name: string) => (await readFile(join(dir, name))).subarray(0, 256 * 1024);
  const xmp = join(dir, 'xmp.tif');
  const size = (await readFile(xmp)).length;
  assert.ok(size > 20 << 20);
  assert.ok(size <= plausibleBytes('tiff', await head('xmp.tif'))!, 'a 20 MB XMP packet is not refused');
  assert.deepEqual([(await decodeImage(xmp, plan)).width], [67]);
  assert.equal(plausibleBytes('tiff', await head('pages.tif')), null, 'further pages can be any size');
  assert.equal(plausibleBytes('gif', await head('x.gif')), null, 'frame count is in no GIF header');
});
