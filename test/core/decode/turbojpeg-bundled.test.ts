/**
 * The TurboJPEG library a packaged app carries (resources/turbojpeg/, see
 * scripts/vendor-turbojpeg.sh): the engine process is pointed at it, takes that one and no other,
 * and says so when it cannot use it (then sharp decodes, and nothing is lost).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { bundledTurboJpegEnv } from '../../../src/core/decode/turbojpeg.js';
import { engineEnv } from '../../../src/main/engine-env.js';
import { cliProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

async function resourcesWithLibrary(dir: string): Promise<string> {
  const resources = join(dir, 'resources');
  await mkdir(join(resources, 'turbojpeg'), { recursive: true });
  await copyFile(await realpath('/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0').catch(() => realpath('/lib/x86_64-linux-gnu/libturbojpeg.so.0')), join(resources, 'turbojpeg', 'libturbojpeg.so.0'));
  return resources;
}

async function jpegFolder(dir: string): Promise<string> {
  const root = join(dir, 'in');
  await mkdir(join(root, 'a'), { recursive: true });
  for (let i = 0; i < 3; i++) {
    const jpeg = await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: { r: 20 * i, g: 90, b: 200 } } }).jpeg().toBuffer();
    await writeFile(join(root, 'a', `${i}.jpg`), jpeg);
  }
  return root;
}

test('the engine environment points at the library in the app resources, and only when it is there', { skip: process.platform !== 'linux' && 'the vendored library is Linux only' }, async (t) => {
  const dir = await tempDir(t);
  const resources = await resourcesWithLibrary(dir);
  const file = join(resources, 'turbojpeg', 'libturbojpeg.so.0');
  assert.deepEqual(bundledTurboJpegEnv(resources, {}, 'linux'), { IMG2NPY_TURBOJPEG: file });
  assert.deepEqual(bundledTurboJpegEnv(join(dir, 'nowhere'), {}, 'linux'), {}, 'an app without the library: the system one');
  assert.deepEqual(bundledTurboJpegEnv(undefined, {}, 'linux'), {}, 'not packaged (no resources path)');
  assert.deepEqual(bundledTurboJpegEnv(resources, { IMG2NPY_TURBOJPEG: '/mine.so' }, 'linux'), {}, "the user's own choice wins");
  const env = engineEnv({ PATH: '/bin' }, resources, 'linux');
  assert.equal(env.IMG2NPY_TURBOJPEG, file);
  assert.equal(env.MALLOC_ARENA_MAX, '2', 'the malloc settings stay');
  assert.equal(engineEnv({ PATH: '/bin' }, resources, 'darwin').MALLOC_ARENA_MAX, undefined, 'malloc settings are glibc only');
});

test('a conversion decodes JPEGs with the library IMG2NPY_TURBOJPEG names, or says why not and decodes with sharp', { skip: process.platform !== 'linux' && 'the vendored library is Linux only' }, async (t) => {
  const dir = await tempDir(t);
  const resources = await resourcesWithLibrary(dir);
  const root = await jpegFolder(dir);
  const file = join(resources, 'turbojpeg', 'libturbojpeg.so.0');
  const ok = await cliProcess(['convert', root, '--out', join(dir, 'ok.npz'), '--size', '8x8', '--json'], { IMG2NPY_TURBOJPEG: file });
  assert.equal(ok.code, 0, ok.stderr);
  const manifest = JSON.parse(await readFile(join(dir, 'ok.manifest.json'), 'utf8'));
  assert.match(manifest.decoders.JPEG, new RegExp(`TurboJPEG, ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const bogus = join(dir, 'not-a-library.so');
  await writeFile(bogus, 'not a shared object');
  const bad = await cliProcess(['convert', root, '--out', join(dir, 'bad.npz'), '--size', '8x8', '--json'], { IMG2NPY_TURBOJPEG: bogus });
  assert.equal(bad.code, 0, bad.stderr);
  assert.match(bad.stdout + bad.stderr, new RegExp(`IMG2NPY_TURBOJPEG=${bogus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be loaded`));
  const fallback = JSON.parse(await readFile(join(dir, 'bad.manifest.json'), 'utf8'));
  assert.doesNotMatch(fallback.decoders.JPEG, /TurboJPEG/);
  assert.deepEqual(fallback.counts ?? null, manifest.counts ?? null, 'every image converted either way');
});
