/** Versions recorded in every manifest, so an output can be traced to what produced it. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

/** What produced an output; every value a version string. */
export interface EngineVersions {
  [name: string]: string;
  img2npy: string;
  node: string;
  sharp: string;
  libvips: string;
  tfjs: string;
}

let cached: EngineVersions | null = null;

/** Walks up from this module to the package root: works from src/, out/node/ and the Electron bundle. */
async function ownPackage(): Promise<{ version: string }> {
  const pkg = await packageAbove(fileURLToPath(import.meta.url), 'img2npy', 6).catch(() => null);
  return { version: typeof pkg?.version === 'string' ? pkg.version : 'unknown' };
}

async function packageJson(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(createRequire(import.meta.url).resolve(name), 'utf8'));
}

/** The package.json named `name` in the folder of `file` or one of the `levels` above it. */
async function packageAbove(file: string, name: string, levels = 4): Promise<Record<string, unknown>> {
  for (let dir = dirname(file), i = 0; i < levels; i++, dir = dirname(dir)) {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}'));
    if (pkg.name === name) return pkg;
  }
  throw new Error(`no package.json of ${name} above ${file}`);
}

/**
 * sharp's and libvips's versions from their package files, as sharp reports them: loading sharp
 * (and libvips, tens of ms) on the main thread only to read two strings cost every run, where
 * the decoder threads had not needed it at all. The libvips package is the prebuilt one sharp
 * picks for this platform; where none is found (a global libvips), sharp itself is asked.
 */
async function sharpVersions(): Promise<{ sharp: string; libvips: string }> {
  const { sharpLoaded } = await import('../decode/sharp.js');
  if (!sharpLoaded()) {
    try {
      // sharp exports no package.json: it is found above its entry point.
      const sharp = String((await packageAbove(createRequire(import.meta.url).resolve('sharp'), 'sharp')).version);
      for (const platform of [`${process.platform}-${process.arch}`, `${process.platform}musl-${process.arch}`]) {
        const vips = await packageJson(`@img/sharp-libvips-${platform}/versions`).catch(() => null);
        if (typeof vips?.vips === 'string') return { sharp, libvips: vips.vips };
      }
    } catch {
      // fall through to asking sharp
    }
  }
  const { sharp } = await import('../decode/sharp.js');
  return { sharp: sharp.versions.sharp ?? 'unknown', libvips: sharp.versions.vips };
}

export async function engineVersions(): Promise<EngineVersions> {
  if (cached) return cached;
  const { sharp, libvips } = await sharpVersions();
  // Only the version string: tfjs itself is loaded (or not) by the backend.
  const tf = (await packageJson('@tensorflow/tfjs-core/package.json')) as { version: string };
  cached = {
    img2npy: (await ownPackage()).version,
    node: process.versions.node,
    sharp,
    libvips,
    tfjs: tf.version,
  };
  return cached;
}

export async function img2npyVersion(): Promise<string> {
  return (await ownPackage()).version;
}
