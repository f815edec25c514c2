import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeImage } from '../../../src/core/decode/image.js';
import { probeImage } from '../../../src/core/decode/probe.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { encode, encodeBmp, encodePng, encodedFormats, gradient, makeAwkwardFolder } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/tmp.js';

async function put(dir: string, name: string, bytes: Uint8Array | Promise<Uint8Array>): Promise<string> {
  const abs = join(dir, name);
  await writeFile(abs, await bytes);
  return abs;
}

test('every format reports its header size', async (t) => {
  const dir = await tempDir(t);
  for (const format of encodedFormats) {
    const file = await put(dir, `g.${format}`, encode(gradient(13, 7), format));
    assert.deepEqual(await probeImage(file, { exif: true }), { width: 13, height: 7 }, format);
  }
  const topDown = await put(dir, 'td.bmp', encodeBmp({ width: 3, height: 5, bpp: 8, topDown: true, palette: [[0, 0, 0]], indices: new Uint8Array(15) }));
  assert.deepEqual(await probeImage(topDown, { exif: false }), { width: 3, height: 5 });
});

test('EXIF orientations 5-8 swap width and height only when EXIF is applied', async (t) => {
  const set = await makeAwkwardFolder(await tempDir(t));
  assert.deepEqual(await probeImage(set['exif-6.jpg'].abs, { exif: true }), { width: 8, height: 16 });
  assert.deepEqual(await probeImage(set['exif-6.jpg'].abs, { exif: false }), { width: 16, height: 8 });
  assert.deepEqual(await probeImage(set['exif-3.jpg'].abs, { exif: true }), { width: 16, height: 8 });
});

test('the probe agrees with the decoder on every decodable awkward file, EXIF on and off', async (t) => {
  const set = await makeAwkwardFolder(await tempDir(t));
  for (const [name, f] of Object.entries(set)) {
    if (f.expect !== 'ok') continue;
    for (const exif of [true, false]) {
      const probe = await probeImage(f.abs, { exif });
      const img = await decodeImage(f.abs, { channels: 3, alpha: 'drop', exif, maxPixels: 0, geometry: null, fastShrink: true });
      assert.deepEqual(probe, { width: img.width, height: img.height }, `${name} exif ${exif}`);
    }
  }
});

test('the probe reads only the header: a 30000x30000 claim is reported, not decoded', async (t) => {
  const file = await put(await tempDir(t), 'bomb.png', encodePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, samples: [0], claimWidth: 30000, claimHeight: 30000 }));
  assert.deepEqual(await probeImage(file, { exif: true }), { width: 30000, height: 30000 });
});

test('unreadable headers are refused with the file and the problem', async (t) => {
  const dir = await tempDir(t);
  const jpg = await encode(gradient(16, 16), 'jpg');
  const bmp = encodeBmp({ width: 2, height: 2, bpp: 24, rgb: new Uint8Array(12) });
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty.png', new Uint8Array(0), /: empty file$/],
    ['notes.jpg', Buffer.from('Dear diary'), /: not an image \(starts with 'Dear diary'\)$/],
    ['head.jpg', jpg.subarray(0, 40), /: truncated JPEG \(/],
    ['bad.bmp', bmp.subarray(0, 20), /: truncated BMP \(info header\)$/],
    ['ico.png', Uint8Array.of(0, 0, 1, 0, 1, 0, 16, 16), /: unsupported image format \(Windows ICO\)$/],
  ];
  for (const [name, bytes, message] of cases) {
    const file = await put(dir, name, bytes);
    await assert.rejects(probeImage(file, { exif: true }), (err: unknown) => {
      assert.ok(err instanceof Img2npyError, name);
      assert.equal(err.code, 'unreadable-image', name);
      assert.equal(err.file, file, name);
      assert.match(err.message, new RegExp(`^Cannot decode ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      assert.match(err.message, message, name);
      return true;
    });
  }
  await assert.rejects(probeImage(join(dir, 'gone.png'), { exif: true }), { code: 'unreadable-image', message: /cannot read the file \(ENOENT\)/ });
});
