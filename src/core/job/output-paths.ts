/**
 * Names of everything a job writes: outputs per subset, shard names, the manifest, and the one
 * temporary folder (next to the destination, so the final rename never crosses file systems).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { ConvertOptions } from '../../shared/options.js';
import type { SubsetName } from '../types.js';

export interface OutputLayout {
  kind: 'npz' | 'npy';
  /** Destination as given, made absolute. */
  base: string;
  subsets: SubsetName[];
  manifest: string;
  tempDir: string;
}

const npzExt = /\.npz$/i;

export function tempDirFor(output: string, jobId: string): string {
  const abs = resolve(output);
  return join(dirname(abs), `.img2npy-${jobId}.tmp`);
}

export function planOutputs(output: string, options: ConvertOptions, jobId: string): OutputLayout {
  const base = resolve(output);
  const kind = options.format === 'auto' ? (npzExt.test(base) ? 'npz' : 'npy') : options.format;
  const subsets: SubsetName[] =
    options.validationSplit > 0
      ? options.subset === 'both'
        ? ['train', 'val']
        : [options.subset === 'training' ? 'train' : 'val']
      : ['all'];
  const stem = base.replace(npzExt, '');
  return { kind, base, subsets, manifest: `${stem}.manifest.json`, tempDir: tempDirFor(base, jobId) };
}

/** Final path of one subset's output, or of shard `index` of `count` when sharding. */
export function outputPath(layout: OutputLayout, subset: SubsetName, shard?: { index: number; count: number }): string {
  const stem = layout.base.replace(npzExt, '');
  const ext = layout.kind === 'npz' ? '.npz' : '';
  const suffix = subset === 'all' ? '' : `-${subset}`;
  const pad = (n: number) => String(n).padStart(5, '0');
  const shardPart = shard ? `-${pad(shard.index)}-of-${pad(shard.count)}` : '';
  return `${stem}${suffix}${shardPart}${ext}`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Shards an earlier run left for this subset: exactly `<name>-NNNNN-of-NNNNN[.npz]`, so neither a
 * `-train` split output nor a user's own `<name>-old-...` file is taken for one.
 */
export async function existingShards(layout: OutputLayout, subset: SubsetName): Promise<string[]> {
  const dir = dirname(layout.base);
  const stem = basename(outputPath(layout, subset)).replace(npzExt, '');
  const ext = layout.kind === 'npz' ? '\\.npz' : '';
  const pattern = new RegExp(`^${escapeRegExp(stem)}-\\d{5}-of-\\d{5}${ext}$`, layout.kind === 'npz' ? 'i' : '');
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.filter((e) => pattern.test(e)).map((e) => join(dir, e));
}

/**
 * Refuses to start when any output of this job already exists (unless overwrite), so a run
 * never clobbers data the user did not offer up.
 * @throws Img2npyError `output-exists` naming the first path found.
 */
export async function checkOutputsFree(layout: OutputLayout, overwrite: boolean): Promise<void> {
  if (overwrite) return;
  const candidates = [...layout.subsets.map((s) => outputPath(layout, s)), layout.manifest];
  for (const subset of layout.subsets) candidates.push(...(await existingShards(layout, subset)));
  for (const path of candidates) {
    if (await exists(path)) {
      throw new Img2npyError('output-exists', `Output ${path} already exists; turn on overwrite (--overwrite) to replace it`, { file: path });
    }
  }
}
