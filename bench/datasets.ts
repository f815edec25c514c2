/**
 * Builds the benchmark's folders under bench/data (git-ignored) from files Debian packages ship,
 * so no image is committed. Each builder leaves a stamp and skips the work when it finds one.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { photoSources } from './photo-sources.js';

export interface PhotoFile {
  path: string;
  width: number;
  height: number;
  /** Progressive JPEGs decode slower and gain little from DCT scaling: worth knowing per file. */
  progressive: boolean;
}

export interface Dataset {
  name: string;
  root: string;
  count: number;
  /** Distinct source images behind the files (photos are repeated under new names). */
  distinct: number;
  /** Photos only: every file with its size, for the djpeg limits. */
  files: PhotoFile[];
}

const stampName = '.complete.json';
/** Bump when the layout changes so old folders are rebuilt rather than trusted. */
const layoutVersion = 2;

async function readStamp(root: string, count: number): Promise<Dataset | null> {
  const stamp = join(root, stampName);
  if (!existsSync(stamp)) return null;
  const data = JSON.parse(await readFile(stamp, 'utf8')) as Dataset & { layoutVersion: number };
  return data.layoutVersion === layoutVersion && data.count === count ? data : null;
}

async function writeStamp(dataset: Dataset): Promise<Dataset> {
  await writeFile(join(dataset.root, stampName), JSON.stringify({ ...dataset, layoutVersion }));
  return dataset;
}

/**
 * `count` photo files in one class folder per source package. There are fewer real photos than
 * a benchmark wants, so they are cycled with distinct names (`name-r03.jpg`): every decoder still
 * opens and decodes each file in full, so repeats cost the same as new photos of the same size.
 */
export async function buildPhotos(dataDir: string, count: number): Promise<Dataset> {
  const root = join(dataDir, `photos-${count}`);
  const done = await readStamp(root, count);
  if (done) return done;
  await rm(root, { recursive: true, force: true });

  const sources = photoSources.flatMap((s) => s.files.map((f) => ({ className: s.className, path: join(s.dir, f), pkg: s.pkg })));
  const missing = sources.filter((s) => !existsSync(s.path));
  if (missing.length > 0) {
    throw new Error(`Photo sources missing (run bench/setup.sh): ${missing.map((m) => `${m.path} (${m.pkg})`).join(', ')}`);
  }
  for (const s of photoSources) await mkdir(join(root, s.className), { recursive: true });

  const files: PhotoFile[] = [];
  for (let i = 0; i < count; i++) {
    const src = sources[i % sources.length];
    const round = Math.floor(i / sources.length);
    // Plasma names every photo 2560x1600.jpg, so its folder name is the stem that stays unique.
    const stem = src.path.includes('/contents/images/') ? src.path.split('/').at(-4)! : basename(src.path, extname(src.path));
    const dest = join(root, src.className, `${stem}-r${String(round).padStart(2, '0')}.jpg`);
    await copyFile(src.path, dest);
    const meta = await sharp(src.path).metadata();
    files.push({ path: dest, width: meta.width ?? 0, height: meta.height ?? 0, progressive: meta.isProgressive ?? false });
  }
  return writeStamp({ name: `photos-${count}`, root, count, distinct: Math.min(count, sources.length), files });
}

const fashionDir = '/usr/share/datasets/fashion-mnist';
const fashionClasses = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

/** Reads an IDX file (Fashion-MNIST's format): big-endian magic, dimensions, then raw bytes. */
async function readIdx(path: string): Promise<{ dims: number[]; data: Buffer }> {
  const raw = gunzipSync(await readFile(path));
  const ndim = raw[3];
  const dims = Array.from({ length: ndim }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  return { dims, data: raw.subarray(4 + 4 * ndim) };
}

/**
 * The first `count` Fashion-MNIST training images as 28x28 grayscale PNGs in ten class folders.
 * They are all distinct real images up to 60,000, so even the 50,000-image set repeats nothing.
 */
export async function buildSmall(dataDir: string, count: number): Promise<Dataset> {
  const root = join(dataDir, `small-${count}`);
  const done = await readStamp(root, count);
  if (done) return done;
  await rm(root, { recursive: true, force: true });

  const images = await readIdx(join(fashionDir, 'train-images-idx3-ubyte.gz'));
  const labels = await readIdx(join(fashionDir, 'train-labels-idx1-ubyte.gz'));
  const [total, h, w] = images.dims;
  if (count > total) throw new Error(`Fashion-MNIST has ${total} training images, asked for ${count}`);
  for (const c of fashionClasses) await mkdir(join(root, c), { recursive: true });

  // Batches keep libvips busy on every core without holding thousands of pending encodes.
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const jobs: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const pixels = images.data.subarray(i * h * w, (i + 1) * h * w);
      const dest = join(root, fashionClasses[labels.data[i]], `train-${String(i).padStart(5, '0')}.png`);
      jobs.push(sharp(pixels, { raw: { width: w, height: h, channels: 1 } }).png().toFile(dest));
    }
    await Promise.all(jobs);
  }
  return writeStamp({ name: `small-${count}`, root, count, distinct: count, files: [] });
}

/** Megapixel range and mean of a photo set, for the report. */
export function describePhotos(files: PhotoFile[]): { minMp: number; maxMp: number; meanMp: number; progressive: number } {
  const mp = files.map((f) => (f.width * f.height) / 1e6);
  return {
    minMp: Math.min(...mp),
    maxMp: Math.max(...mp),
    meanMp: mp.reduce((a, b) => a + b, 0) / mp.length,
    progressive: files.filter((f) => f.progressive).length,
  };
}
