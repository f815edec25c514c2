/**
 * Looks inside an output (.npz, .npy, or a folder of .npy files): shapes, dtypes, value ranges,
 * counts per class, and sample tiles — reading in bounded blocks, never the whole array.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OverlayOptions } from 'sharp';
import { sharp } from '../decode/sharp.js';
import { Img2npyError } from '../../shared/errors.js';
import type { InspectedArray, InspectResult } from '../../shared/report.js';
import { type ArrayFile, type ArrayRows, openArrayFile } from './reader.js';
import { fromFloat16Bits } from '../tensor/float16.js';
import { xChannelStats } from './x-channel-stats.js';
import { toPng, toPngDataUrl } from './png-encode.js';
import { checkSheetDestination, writeSheet } from './sheet-file.js';
import type { DecodedImage } from '../types.js';

/** One view over a single file or a folder of .npy files. */
interface ArraySet {
  names: string[];
  file(name: string): ArrayFile;
  close(): Promise<void>;
}

async function openSet(path: string): Promise<ArraySet> {
  const s = await stat(path).catch(() => null);
  if (!s) throw new Img2npyError('input-not-found', `No such file or folder: ${path}`, { file: path });
  const files: ArrayFile[] = [];
  try {
    if (s.isDirectory()) {
      for (const e of (await readdir(path)).filter((n) => n.endsWith('.npy')).sort()) files.push(await openArrayFile(join(path, e)));
      if (!files.length) throw new Img2npyError('not-an-array-file', `${path} holds no .npy files`, { file: path });
    } else {
      files.push(await openArrayFile(path));
    }
  } catch (err) {
    await Promise.allSettled(files.map((f) => f.close()));
    throw err;
  }
  const byName = new Map(files.flatMap((f) => f.arrays.map((a) => [a.name, f] as const)));
  return {
    names: [...byName.keys()],
    file: (name) => byName.get(name)!,
    close: async () => void (await Promise.allSettled(files.map((f) => f.close()))),
  };
}

function info(set: ArraySet, name: string) {
  return set.file(name).info(name);
}

/** Class index of each row of y, whatever the label mode (int, one-hot, binary (N,1)). */
function labelIndices(rows: ArrayRows, shape: number[]): number[] {
  if (Array.isArray(rows)) return [];
  const width = shape.length > 1 ? shape[1] : 1;
  const values = rows instanceof Uint16Array ? Array.from(rows, fromFloat16Bits) : Array.from(rows as ArrayLike<number>);
  const out: number[] = [];
  for (let i = 0; i < values.length / width; i++) {
    const row = values.slice(i * width, (i + 1) * width);
    out.push(width === 1 ? (shape.length > 1 ? (row[0] >= 0.5 ? 1 : 0) : row[0]) : row.indexOf(Math.max(...row)));
  }
  return out;
}

async function countClasses(set: ArraySet, classNames: string[] | null, signal?: AbortSignal): Promise<Record<string, number> | null> {
  if (!set.names.includes('y')) return null;
  const y = info(set, 'y');
  const counts: Record<string, number> = {};
  const block = 65536;
  for (let start = 0; start < y.shape[0]; start += block) {
    signal?.throwIfAborted();
    for (const l of labelIndices(await set.file('y').readRows('y', start, Math.min(block, y.shape[0] - start)), y.shape)) {
      const key = classNames?.[l] ?? String(l);
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

async function labelAt(set: ArraySet, index: number, classNames: string[] | null): Promise<string | null> {
  if (!set.names.includes('y')) return null;
  const [l] = labelIndices(await set.file('y').readRows('y', index, 1), info(set, 'y').shape);
  return l === undefined ? null : (classNames?.[l] ?? String(l));
}

async function readClassNames(set: ArraySet): Promise<string[] | null> {
  if (!set.names.includes('class_names')) return null;
  return (await set.file('class_names').readRows('class_names', 0, info(set, 'class_names').shape[0])) as string[];
}

/** Turns one row of x into displayable 8-bit pixels (NCHW transposed, floats rescaled). */
function rowToImage(rows: ArrayRows, shape: number[], range: { min: number; max: number }): DecodedImage {
  const dims = shape.slice(1);
  const chw = dims.length === 3 && [1, 3, 4].includes(dims[0]) && ![1, 3, 4].includes(dims[2]);
  const [h, w, c] = dims.length === 2 ? [dims[0], dims[1], 1] : chw ? [dims[1], dims[2], dims[0]] : [dims[0], dims[1], dims[2]];
  const values = rows instanceof Uint16Array ? Float32Array.from(rows, fromFloat16Bits) : (rows as Uint8Array | Float32Array | Int32Array);
  const scale = rows instanceof Uint8Array ? null : range;
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        const v = chw ? values[k * h * w + y * w + x] : values[(y * w + x) * c + k];
        out[(y * w + x) * c + k] = scale ? Math.round(((v - scale.min) / (scale.max - scale.min || 1)) * 255) : v;
      }
    }
  }
  return { data: out, width: w, height: h, channels: c as 1 | 3 | 4 };
}

function sampleIndices(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

const maxTileRowBytes = 256 * (1 << 20);

/** Refuses rows of x too large to draw, before anything is read (see samplesOf). */
function checkTileRows(x: { shape: number[]; dtype: string }): void {
  // A tile is drawn from one whole row; a row of gigabytes (a sparse 30000x30000x3 file is a
  // valid .npy) would take that much memory for a 120-pixel thumbnail.
  const itemSize = ({ uint8: 1, float16: 2 } as Record<string, number>)[x.dtype] ?? 4;
  const rowBytes = x.shape.slice(1).reduce((a, b) => a * b, 1) * itemSize;
  if (rowBytes > maxTileRowBytes) {
    throw new Img2npyError('image-too-large', `Rows of x are ${x.shape.slice(1).join('x')} (${(rowBytes / 1e9).toFixed(1)} GB each): too large to draw as sample tiles (at most ${maxTileRowBytes / (1 << 20)} MiB per row)`);
  }
}

/**
 * Everything `writeContactSheet` would refuse, found without reading any array data: a shell
 * calls it before a long statistics pass.
 * @throws Img2npyError as `writeContactSheet` does, except write failures.
 */
export async function checkContactSheet(path: string, out: string, overwrite: boolean): Promise<void> {
  await checkSheetDestination(path, out, overwrite);
  const set = await openSet(path);
  try {
    if (!set.names.includes('x')) throw new Img2npyError('not-an-array-file', `${path} has no image array x to draw`, { file: path });
    checkTileRows(info(set, 'x'));
  } finally {
    await set.close();
  }
}

async function samplesOf(set: ArraySet, count: number, xRange: { min: number; max: number }, classNames: string[] | null) {
  if (!set.names.includes('x') || count <= 0) return [];
  const x = info(set, 'x');
  if (x.shape.length < 3 || x.dtype === 'str') return [];
  checkTileRows(x);
  const out: { index: number; label: string | null; image: DecodedImage }[] = [];
  for (const index of sampleIndices(x.shape[0], count)) {
    const image = rowToImage(await set.file('x').readRows('x', index, 1), x.shape, xRange);
    out.push({ index, label: await labelAt(set, index, classNames), image });
  }
  return out;
}

/**
 * @example const r = await inspect('flowers.npz', { samples: 16 })
 * @throws Img2npyError not-an-array-file / input-not-found naming the path.
 */
export async function inspect(path: string, ctx: { signal?: AbortSignal; samples?: number } = {}): Promise<InspectResult> {
  const set = await openSet(path);
  try {
    const arrays: InspectedArray[] = [];
    for (const name of set.names) {
      const a = info(set, name);
      const stats = a.dtype === 'str' ? { min: null, max: null, mean: null } : await set.file(name).stats(name, { signal: ctx.signal });
      arrays.push({ ...a, ...stats });
    }
    const classNames = await readClassNames(set);
    const counts = await countClasses(set, classNames, ctx.signal);
    const x = arrays.find((a) => a.name === 'x');
    const range = { min: x?.min ?? 0, max: x?.max ?? 255 };
    const tiles = await samplesOf(set, ctx.samples ?? 16, range, classNames);
    const samples = [];
    for (const t of tiles) samples.push({ index: t.index, label: t.label, dataUrl: await toPngDataUrl(t.image) });
    const channelStats = x ? await xChannelStats(path, x, (start, n) => set.file('x').readRows('x', start, n), ctx.signal) : null;
    return { path, arrays, classNames, countsPerClass: counts, samples, channelStats };
  } finally {
    await set.close();
  }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Writes a contact sheet PNG: sample tiles in a grid, each captioned with its index and label.
 * Checked before drawing and written atomically (see sheet-file.ts).
 * @throws Img2npyError write-failed naming `out`; output-exists / invalid-option (see
 *   `checkSheetDestination`); image-too-large when rows of x are too large to draw.
 */
export async function writeContactSheet(
  path: string,
  out: string,
  ctx: {
    samples: number;
    signal?: AbortSignal;
    /** x's value range when already known (from inspect). */ range?: { min: number; max: number };
    /** Replace an existing file at `out` (never the inspected file itself). */ overwrite?: boolean;
  },
): Promise<void> {
  await checkSheetDestination(path, out, ctx.overwrite ?? false);
  const set = await openSet(path);
  try {
    const classNames = await readClassNames(set);
    const stats = ctx.range ?? (set.names.includes('x') ? await set.file('x').stats('x', { signal: ctx.signal }) : { min: 0, max: 255 });
    const tiles = await samplesOf(set, ctx.samples, { min: stats.min ?? 0, max: stats.max ?? 255 }, classNames);
    if (!tiles.length) throw new Img2npyError('not-an-array-file', `${path} has no image array x to draw`, { file: path });
    const cell = 128;
    const caption = 18;
    const cols = Math.min(8, tiles.length);
    const rows = Math.ceil(tiles.length / cols);
    const composites: OverlayOptions[] = [];
    for (const [i, t] of tiles.entries()) {
      const left = (i % cols) * cell;
      const top = Math.floor(i / cols) * (cell + caption);
      const scaled = await sharp(await toPng(t.image)).resize(cell - 8, cell - 8, { fit: 'contain', kernel: 'nearest', background: '#808080' }).png().toBuffer();
      composites.push({ input: scaled, left: left + 4, top: top + 4 });
      const text = escapeXml(`${t.index}: ${t.label ?? ''}`.slice(0, 20));
      const svg = `<svg width="${cell}" height="${caption}" xmlns="http://www.w3.org/2000/svg"><text x="4" y="13" font-family="DejaVu Sans, sans-serif" font-size="12" fill="#fff">${text}</text></svg>`;
      composites.push({ input: Buffer.from(svg), left, top: top + cell });
    }
    const png = await sharp({ create: { width: cols * cell, height: rows * (cell + caption), channels: 3, background: '#202020' } })
      .composite(composites)
      .png()
      .toBuffer();
    await writeSheet(out, png, ctx.overwrite ?? false);
  } finally {
    await set.close();
  }
}
