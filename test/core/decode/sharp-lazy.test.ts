/**
 * sharp loads on first use only: a decoder thread that meets only JPEGs (TurboJPEG) and small
 * PNGs (our reader) never pays for libvips; any other format still decodes, through sharp.
 * Likewise a run without JPEGs never loads libturbojpeg.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { repoRoot } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const run = promisify(execFile);
const imageModule = fileURLToPath(new URL('../../../src/core/decode/image.ts', import.meta.url));
const sharpModule = fileURLToPath(new URL('../../../src/core/decode/sharp.ts', import.meta.url));

/** Decodes the files in a fresh Node (tsx) and says, after each, whether sharp is loaded. */
async function loadedAfter(files: string[]): Promise<{ shapes: number[][]; loaded: boolean[] }> {
  const code = `
    const { decodeImage } = await import(${JSON.stringify(imageModule)});
    const { sharpLoaded } = await import(${JSON.stringify(sharpModule)});
    const plan = { channels: 3, alpha: 'drop', exif: true, maxPixels: 0, fastShrink: true,
      geometry: { height: 16, width: 16, mode: 'crop', interpolation: 'bilinear', antialias: true, padValue: 0 } };
    const shapes = [], loaded = [];
    for (const f of ${JSON.stringify(files)}) {
      const img = await decodeImage(f, plan);
      shapes.push([img.height, img.width, img.channels]);
      loaded.push(sharpLoaded());
    }
    console.log(JSON.stringify({ shapes, loaded }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot });
  return JSON.parse(stdout.trim());
}

test('JPEGs and small PNGs decode without loading sharp; a WebP then loads it', async (t) => {
  const dir = await tempDir(t);
  const src = { create: { width: 40, height: 30, channels: 3 as const, background: { r: 200, g: 30, b: 90 } } };
  const jpg = join(dir, 'a.jpg');
  const png = join(dir, 'b.png');
  const webp = join(dir, 'c.webp');
  await sharp(src).jpeg().toFile(jpg);
  await sharp(src).png().toFile(png);
  await sharp(src).webp().toFile(webp);
  const r = await loadedAfter([jpg, png, webp]);
  assert.deepEqual(r.shapes, [[16, 16, 3], [16, 16, 3], [16, 16, 3]]);
  assert.deepEqual(r.loaded, [false, false, true]);
});

test('a whole conversion of JPEGs and small PNGs never loads sharp on the main thread; the report still names its versions', async (t) => {
  const dir = await tempDir(t);
  const src = { create: { width: 40, height: 30, channels: 3 as const, background: { r: 20, g: 130, b: 90 } } };
  for (const c of ['a', 'b']) {
    await mkdir(join(dir, 'in', c), { recursive: true });
    await sharp(src).jpeg().toFile(join(dir, 'in', c, '1.jpg'));
    await sharp(src).png().toFile(join(dir, 'in', c, '2.png'));
  }
  const core = fileURLToPath(new URL('../../../src/core/index.ts', import.meta.url));
  const code = `
    const { convert } = await import(${JSON.stringify(core)});
    const { sharpLoaded } = await import(${JSON.stringify(sharpModule)});
    const report = await convert({ jobId: 't', input: ${JSON.stringify(join(dir, 'in'))}, output: ${JSON.stringify(join(dir, 'out.npz'))},
      options: { size: { height: 8, width: 8 }, jobs: 1 }, overwrite: false });
    console.log(JSON.stringify({ loaded: sharpLoaded(), decoders: report.decoders, shape: report.shape }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot });
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(r.shape, [4, 8, 8, 3]);
  assert.equal(r.loaded, false);
  const vips = `sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`;
  assert.ok(r.decoders.PNG.endsWith(`${vips} otherwise`), r.decoders.PNG);
  assert.ok(r.decoders.JPEG.includes(vips), r.decoders.JPEG);
});

test('a conversion of PNGs only never loads libturbojpeg: the report names no JPEG decoder', { skip: process.platform !== 'linux' && 'reads /proc/self/maps' }, async (t) => {
  const dir = await tempDir(t);
  const src = { create: { width: 40, height: 30, channels: 3 as const, background: { r: 20, g: 130, b: 90 } } };
  for (const c of ['a', 'b']) {
    await mkdir(join(dir, 'in', c), { recursive: true });
    await sharp(src).png().toFile(join(dir, 'in', c, '2.png'));
  }
  const core = fileURLToPath(new URL('../../../src/core/index.ts', import.meta.url));
  const code = `
    const { readFileSync } = await import('node:fs');
    const { convert } = await import(${JSON.stringify(core)});
    const report = await convert({ jobId: 't', input: ${JSON.stringify(join(dir, 'in'))}, output: ${JSON.stringify(join(dir, 'out.npz'))},
      options: { size: { height: 8, width: 8 }, jobs: 1 }, overwrite: false });
    const turbo = readFileSync('/proc/self/maps', 'utf8').includes('libturbojpeg');
    console.log(JSON.stringify({ turbo, decoders: report.decoders, shape: report.shape }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot });
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(r.shape, [2, 8, 8, 3]);
  assert.deepEqual(Object.keys(r.decoders), ['PNG']);
  assert.equal(r.turbo, false, 'libturbojpeg is mapped into the process');
});
