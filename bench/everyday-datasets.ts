/**
 * The everyday workloads of issue 10, cut from the real photos (photo-sources.ts) so no image is
 * committed: "typical dataset" JPEGs (333–640 px wide, quality 75–95, like Oxford pets, Caltech or
 * ImageNet-val) and small colour PNGs (32×32 like CIFAR, and 20–28 px squares). A seeded generator
 * makes every machine build the same files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { Dataset } from './datasets.js';
import { photoSources } from './photo-sources.js';

const stampName = '.complete.json';
const layoutVersion = 1;

/** mulberry32: small, fast and the same everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (rnd: () => number, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

async function stamped(root: string, count: number): Promise<Dataset | null> {
  const stamp = join(root, stampName);
  if (!existsSync(stamp)) return null;
  const data = JSON.parse(await readFile(stamp, 'utf8')) as Dataset & { layoutVersion: number };
  return data.layoutVersion === layoutVersion && data.count === count ? data : null;
}

/** Each source photo once, decoded at 1600 px on the long side: every cut comes from these. */
async function loadSources(): Promise<{ className: string; data: Buffer; width: number; height: number }[]> {
  const files = photoSources.flatMap((s) => s.files.map((f) => ({ className: s.className, path: join(s.dir, f), pkg: s.pkg })));
  const missing = files.filter((f) => !existsSync(f.path));
  if (missing.length > 0) throw new Error(`Photo sources missing (run bench/setup.sh): ${missing.map((m) => `${m.path} (${m.pkg})`).join(', ')}`);
  return Promise.all(files.map(async (f) => {
    const { data, info } = await sharp(f.path).rotate().resize(1600, 1600, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { className: f.className, data, width: info.width, height: info.height };
  }));
}

type Cut = (rnd: () => number) => { width: number; height: number; zoom: number };

async function build(dataDir: string, name: string, count: number, seed: number, cut: Cut, encode: (img: Sharp, rnd: () => number) => Sharp, ext: string): Promise<Dataset> {
  const root = join(dataDir, `${name}-${count}`);
  const done = await stamped(root, count);
  if (done) return done;
  await rm(root, { recursive: true, force: true });
  const sources = await loadSources();
  for (const c of new Set(sources.map((s) => s.className))) await mkdir(join(root, c), { recursive: true });
  const rnd = random(seed);
  const batch = 64;
  for (let start = 0; start < count; start += batch) {
    const jobs: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const src = sources[Math.floor(rnd() * sources.length)];
      const { width, height, zoom } = cut(rnd);
      // A region of the photo `zoom` times the output size (clamped to the photo), scaled down.
      const scale = Math.min(src.width / (width * zoom), src.height / (height * zoom), 1);
      const rw = Math.max(width, Math.floor(width * zoom * scale));
      const rh = Math.max(height, Math.floor(height * zoom * scale));
      const left = Math.floor(rnd() * Math.max(1, src.width - rw));
      const top = Math.floor(rnd() * Math.max(1, src.height - rh));
      const img = sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } })
        .extract({ left, top, width: Math.min(rw, src.width - left), height: Math.min(rh, src.height - top) })
        .resize(width, height, { fit: 'fill' });
      jobs.push(encode(img, rnd).toFile(join(root, src.className, `${name}-${String(i).padStart(6, '0')}.${ext}`)));
    }
    await Promise.all(jobs);
  }
  const dataset: Dataset = { name: `${name}-${count}`, root, count, distinct: count, files: [] };
  await writeFile(join(root, stampName), JSON.stringify({ ...dataset, layoutVersion }));
  return dataset;
}

const aspects = [3 / 4, 2 / 3, 1, 4 / 3, 3 / 2];

/** JPEGs 333–640 px wide in the usual aspect ratios, quality 75–95 (4:2:0), each a whole scene scaled down. */
export const buildTypical = (dataDir: string, count: number): Promise<Dataset> =>
  build(dataDir, 'typical', count, 10, (rnd) => {
    const width = between(rnd, 333, 640);
    return { width, height: Math.round(width / aspects[Math.floor(rnd() * aspects.length)]), zoom: 1 + rnd() * 2 };
  }, (img, rnd) => img.jpeg({ quality: between(rnd, 75, 95) }), 'jpg');

/** Colour PNGs `side` px square (CIFAR-like at 32), or of a random side in [side, maxSide]. */
export const buildTinyPngs = (dataDir: string, count: number, side: number, maxSide = side): Promise<Dataset> =>
  build(dataDir, side === maxSide ? `png${side}` : `png${side}-${maxSide}`, count, side * 1000 + maxSide, (rnd) => {
    const s = between(rnd, side, maxSide);
    return { width: s, height: s, zoom: 2 + rnd() * 8 };
  }, (img) => img.png(), 'png');
