/**
 * Names of everything a job writes: outputs per subset, shard names, the manifest, and the one
 * temporary folder (next to the destination, so the final rename never crosses file systems).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Img2npyError } from '../shared/errors.js';
import type { ConvertOptions } from '../shared/options.js';

export type SubsetName = 'all' | 'train' | 'val';

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

/**
 * Refuses to start when any output of this job already exists (unless overwrite), so a run
 * never clobbers data the user did not offer up. Shards are matched by their name pattern.
 * @throws Img2npyError `output-exists` naming the first path found.
 */
export async function checkOutputsFree(layout: OutputLayout, sharded: boolean, overwrite: boolean): Promise<void> {
  if (overwrite) return;
  const candidates = [...layout.subsets.map((s) => outputPath(layout, s)), layout.manifest];
  for (const path of candidates) {
    if (await exists(path)) {
      throw new Img2npyError('output-exists', `Output ${path} already exists; pass --overwrite to replace it`, { file: path });
    }
  }
  if (!sharded) return;
  const dir = dirname(layout.base);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const subset of layout.subsets) {
    const prefix = basename(outputPath(layout, subset)).replace(npzExt, '');
    const hit = entries.find((e) => e.startsWith(prefix + '-') && /-\d{5}-of-\d{5}(\.npz)?$/i.test(e));
    if (hit) {
      throw new Img2npyError('output-exists', `Output shard ${join(dir, hit)} already exists; pass --overwrite to replace it`, { file: join(dir, hit) });
    }
  }
}
