/**
 * Names of everything a job writes: outputs per subset, shard names, the manifest, and the one
 * temporary folder (next to the destination, so the final rename never crosses file systems).
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { ConvertOptions } from '../../shared/options.js';
import type { SubsetName } from '../types.js';

export interface OutputLayout {
  kind: 'npz' | 'npy';
  /** Destination as given, made absolute. */
  base: string;
  /** '.npz' as the user typed it (case kept), '' for a folder of .npy files. */
  ext: string;
  subsets: SubsetName[];
  manifest: string;
  tempDir: string;
}

const npzExt = /\.npz$/i;
const npyExt = /\.npy$/i;

export function tempDirFor(output: string, jobId: string): string {
  const abs = resolve(output);
  return join(dirname(abs), `.img2npy-${jobId}.tmp`);
}

/**
 * The naming rules of a destination: a name ending in `.npz` (any case, kept as typed) is one
 * archive; any other name is a folder of `.npy` files; `.npy` alone is refused, since a job
 * writes several arrays and one `.npy` file holds one. An explicit format must agree with the
 * name: nothing is renamed or re-suffixed behind the user's back.
 * @example outputKind('flowers.npz', 'auto') // 'npz'
 * @throws Img2npyError `invalid-option` (option `out`) naming the path and the contradiction.
 */
export function outputKind(output: string, format: ConvertOptions['format']): 'npz' | 'npy' {
  const name = basename(resolve(output));
  const stem = name.replace(/\.[^.]*$/, '');
  if (npyExt.test(name)) {
    throw new Img2npyError(
      'invalid-option',
      `Output ${output} ends in .npy, but a conversion writes several arrays (x, y, class_names, paths) and one .npy file holds one: name a folder (${stem}) for a folder of .npy files, or ${stem}.npz for one archive`,
      { option: 'out', file: output },
    );
  }
  const isNpz = npzExt.test(name);
  if (format === 'npy' && isNpz) {
    throw new Img2npyError('invalid-option', `Output ${output} ends in .npz, but format npy (--format npy) writes a folder of .npy files: drop the format or name a folder (${stem})`, { option: 'out', file: output });
  }
  if (format === 'npz' && !isNpz) {
    throw new Img2npyError('invalid-option', `Format npz (--format npz) writes one .npz archive, but output ${output} does not end in .npz: name it ${name}.npz`, { option: 'out', file: output });
  }
  return isNpz ? 'npz' : 'npy';
}

/** @throws Img2npyError `invalid-option` when the name and the format disagree (see `outputKind`). */
export function planOutputs(output: string, options: ConvertOptions, jobId: string, splitNames?: readonly SubsetName[]): OutputLayout {
  const base = resolve(output);
  const kind = outputKind(output, options.format);
  // Split folders (known after the scan) or a generated --split name the outputs themselves.
  const subsets: SubsetName[] = splitNames?.length
    ? [...splitNames]
    : options.split
      ? ['train', 'val', 'test'].slice(0, options.split.length)
      : options.validationSplit > 0
      ? options.subset === 'both'
        ? ['train', 'val']
        : [options.subset === 'training' ? 'train' : 'val']
      : ['all'];
  const stem = base.replace(npzExt, '');
  const ext = kind === 'npz' ? base.slice(stem.length) : '';
  return { kind, base, ext, subsets, manifest: `${stem}.manifest.json`, tempDir: tempDirFor(base, jobId) };
}

/** Final path of one subset's output, or of shard `index` of `count` when sharding. */
export function outputPath(layout: OutputLayout, subset: SubsetName, shard?: { index: number; count: number }): string {
  const stem = layout.base.replace(npzExt, '');
  const suffix = subset === 'all' ? '' : `-${subset}`;
  const pad = (n: number) => String(n).padStart(5, '0');
  const shardPart = shard ? `-${pad(shard.index)}-of-${pad(shard.count)}` : '';
  return `${stem}${suffix}${shardPart}${layout.ext}`;
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's own recursive mkdir loops
 * forever where a parent exists but refuses children with ENOENT (/proc); here every level is
 * tried once, so a path that cannot exist fails at once, naming the level that failed.
 * @throws Img2npyError `write-failed` naming the folder.
 */
export async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const s = await stat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw new Img2npyError('write-failed', `Cannot create the output folder ${dir}: ${err.message}`, { file: at, cause: err });
    });
    if (s?.isDirectory()) break;
    if (s) throw new Img2npyError('write-failed', `Cannot create the output folder ${dir}: ${at} is a file, not a folder`, { file: at });
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) {
    await mkdir(level).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      throw new Img2npyError('write-failed', `Cannot create the output folder ${dir}: ${err.message}`, { file: level, cause: err });
    });
  }
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
