/** Versions recorded in every manifest, so an output can be traced to what produced it. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

let cached: Record<string, string> | null = null;

/** Walks up from this module to the package root: works from src/, out/node/ and the Electron bundle. */
async function ownPackage(): Promise<{ version: string }> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'img2npy') return pkg;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return { version: 'unknown' };
}

export async function engineVersions(): Promise<Record<string, string>> {
  if (cached) return cached;
  const { sharp } = await import('../decode/sharp.js');
  // Only the version string: tfjs itself is loaded (or not) by the backend.
  const tf = JSON.parse(await readFile(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string };
  cached = {
    img2npy: (await ownPackage()).version,
    node: process.versions.node,
    sharp: sharp.versions.sharp ?? 'unknown',
    libvips: sharp.versions.vips,
    tfjs: tf.version,
  };
  return cached;
}

export async function img2npyVersion(): Promise<string> {
  return (await ownPackage()).version;
}
