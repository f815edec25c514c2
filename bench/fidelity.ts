/**
 * `npm run bench` (second part): what the decode shortcuts cost in pixels. JPEG shrink-on-load
 * (DCT-domain downscale, default mode only) is compared with a full decode followed by the same
 * antialiased resize, on the benchmark's real photos; writes docs/fidelity.md.
 */
import { readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DecodePlan, decodeImage } from '../src/core/index.js';
import { buildPhotos } from './datasets.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The 38 distinct photos, one copy each: built here when missing, so a fresh clone works too. */
async function photos(): Promise<{ root: string; files: string[] }> {
  const { root } = await buildPhotos(join(repo, 'bench', 'data'), 38);
  const files = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)))
    .sort();
  return { root, files };
}

function plan(fastShrink: boolean, size: number, mode: 'stretch' | 'crop'): DecodePlan {
  return {
    channels: 3,
    alpha: 'drop',
    exif: true,
    maxPixels: 0,
    fastShrink,
    geometry: { height: size, width: size, mode, interpolation: 'bilinear', antialias: true, padValue: 0 },
  };
}

interface Row {
  target: string;
  meanAbs: number;
  p99: number;
  max: number;
  psnr: number;
}

async function compare(files: string[], size: number, mode: 'stretch' | 'crop'): Promise<Row> {
  const diffs: number[] = [];
  let sq = 0;
  for (const file of files) {
    const fast = await decodeImage(file, plan(true, size, mode));
    const full = await decodeImage(file, plan(false, size, mode));
    for (let i = 0; i < fast.data.length; i++) {
      const d = Math.abs(fast.data[i] - full.data[i]);
      diffs.push(d);
      sq += d * d;
    }
  }
  diffs.sort((a, b) => a - b);
  const mse = sq / diffs.length;
  return {
    target: `${size}×${size} ${mode}`,
    meanAbs: diffs.reduce((a, b) => a + b, 0) / diffs.length,
    p99: diffs[Math.floor(diffs.length * 0.99)],
    max: diffs[diffs.length - 1],
    psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse),
  };
}

async function main(): Promise<void> {
  const { root, files } = await photos();
  if (!files.length) throw new Error(`no photos in ${root}: run npm run bench first (it builds the datasets)`);
  const rows: Row[] = [];
  for (const [size, mode] of [[224, 'stretch'], [224, 'crop'], [64, 'stretch']] as const) rows.push(await compare(files, size, mode));
  const md = [
    '# Fidelity of the decode shortcuts',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} over the ${files.length} distinct benchmark photos (bench/data/photos-38).`,
    '',
    '**JPEG shrink-on-load** (default mode, antialiased resize): libjpeg decodes at 1/2, 1/4 or 1/8 scale in the DCT domain before the resize.',
    'Reference: the same file decoded at full size, then the same antialiased bilinear resize. Differences on the 0–255 scale, over every channel value:',
    '',
    '| target | mean abs Δ | 99th percentile | max | PSNR dB |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.target} | ${r.meanAbs.toFixed(2)} | ${r.p99} | ${r.max} | ${r.psnr.toFixed(1)} |`),
    '',
    "**PNG and BMP readers** (up to 512×512, PNGs interlaced or not): decoding is exact — byte-identical to the sharp path, by test (test/core/decode/png.test.ts, bmp.test.ts); their resizes equal Pillow's byte for byte (test/core/geometry/resample.test.ts), except for images whose alpha is kept (rgba), which libvips resizes.",
    '',
    '**Keras mode** takes no shortcut: every image is decoded at full size, as TensorFlow does.',
    '',
  ].join('\n');
  await writeFile(join(repo, 'docs', 'fidelity.md'), md);
  console.log(md);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
