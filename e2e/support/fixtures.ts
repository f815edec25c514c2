/** Image folders for the e2e specs, made with sharp: solid colours, a few formats, a few misfits. */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

type Rgb = { r: number; g: number; b: number };

async function solid(path: string, width: number, height: number, colour: Rgb, format: 'png' | 'jpeg' | 'webp'): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: colour } })[format]().toFile(path);
}

export const smallSet = {
  classes: { bird: 2, cat: 4, dog: 3 } as Record<string, number>,
  total: 9,
  formats: { jpg: 3, png: 4, webp: 2 } as Record<string, number>,
};

/**
 * root/cat: 4 red PNGs 40×30; root/dog: 3 blue JPEGs 30×40; root/bird: 2 green WebPs 24×24;
 * plus README.txt at the root and cat/notes.txt (both listed as skipped by the scan).
 */
export async function makeSmallSet(root: string): Promise<string> {
  const dir = join(root, 'animals');
  const colours: Record<string, [Rgb, number, number, 'png' | 'jpeg' | 'webp', string]> = {
    cat: [{ r: 220, g: 40, b: 40 }, 40, 30, 'png', 'png'],
    dog: [{ r: 40, g: 60, b: 220 }, 30, 40, 'jpeg', 'jpg'],
    bird: [{ r: 40, g: 180, b: 60 }, 24, 24, 'webp', 'webp'],
  };
  for (const [name, count] of Object.entries(smallSet.classes)) {
    const [colour, width, height, format, ext] = colours[name];
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < count; i++) await solid(join(dir, name, `${name}-${i}.${ext}`), width, height, colour, format);
  }
  await writeFile(join(dir, 'README.txt'), 'not an image\n');
  await writeFile(join(dir, 'cat', 'notes.txt'), 'not an image either\n');
  return dir;
}

/**
 * Many copies of one large noisy PNG: slow enough to decode that a conversion can be cancelled
 * (or its engine killed) while it runs.
 */
export async function makeSlowSet(root: string, perClass = 150, side = 1024): Promise<string> {
  const dir = join(root, 'slow');
  const source = join(root, 'noise.png');
  await sharp({ create: { width: side, height: side, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png({ compressionLevel: 1 })
    .toFile(source);
  for (const name of ['a', 'b']) {
    await mkdir(join(dir, name), { recursive: true });
    await Promise.all(Array.from({ length: perClass }, (_, i) => copyFile(source, join(dir, name, `${String(i).padStart(4, '0')}.png`))));
  }
  return dir;
}
