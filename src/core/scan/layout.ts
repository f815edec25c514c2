/**
 * What a dataset root holds besides class folders: split folders (Kaggle's train/, valid/,
 * test/) and Hugging Face style metadata files (metadata.csv / metadata.jsonl).
 */
import type { Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { compareCodePoints } from './order.js';
import { entryKind } from './walk.js';

/** Split folder names (any case) and their rank: train-like first, then validation, then test. */
const splitRanks: Record<string, number> = { train: 0, training: 0, val: 1, valid: 1, validation: 1, dev: 1, test: 2, testing: 2 };

/** The metadata file names looked for, in this order. */
export const metadataNames = ['metadata.csv', 'metadata.jsonl'] as const;

/**
 * The split folders of a root: every visible sub-folder must have a split name (else none is a
 * split: they are classes). Ordered train, validation, test, then by name.
 *
 * @example
 * await detectSplitFolders('/data', entries); // ['train', 'valid', 'test']
 */
export async function detectSplitFolders(rootAbs: string, top: Dirent[], followLinks: boolean): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of top) {
    if (entry.name.startsWith('.')) continue;
    const abs = join(rootAbs, entry.name);
    const kind = await entryKind(abs, entry);
    // An .npy output folder of an earlier run (x.npy inside) is not a split or a class.
    if (kind === 'dir' || (kind === 'link-dir' && followLinks)) {
      if (!(await stat(join(abs, 'x.npy')).then(() => true, () => false))) dirs.push(entry.name);
    }
  }
  return splitFolderOrder(dirs);
}

/**
 * Folder names as split folders in output order, or [] when any of them is not a split name
 * (then all are classes).
 * @example splitFolderOrder(['test', 'Train']); // ['Train', 'test']
 */
export function splitFolderOrder(dirs: string[]): string[] {
  if (dirs.length === 0 || dirs.some((d) => splitRanks[d.toLowerCase()] === undefined)) return [];
  return dirs.slice().sort((a, b) => splitRanks[a.toLowerCase()] - splitRanks[b.toLowerCase()] || compareCodePoints(a, b));
}

/**
 * Keeps the split folders named in `wanted` (any case), in split order.
 * @throws {Img2npyError} `invalid-option` (option splits) naming what was found.
 */
export function pickSplits(found: string[], wanted: readonly string[] | null | undefined, rootAbs: string): string[] {
  if (!wanted) return found;
  if (found.length === 0) {
    throw new Img2npyError('invalid-option', `Expected split folders (train, val, test...) in ${rootAbs} for splits (--splits) but its folders are not split folders`, { option: 'splits' });
  }
  const lower = new Map(found.map((f) => [f.toLowerCase(), f]));
  const unknown = wanted.filter((w) => !lower.has(w.toLowerCase()));
  if (unknown.length > 0) {
    throw new Img2npyError('invalid-option', `Expected split folders of ${rootAbs} for splits (--splits) but ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among them; found: ${found.join(', ')}`, { option: 'splits' });
  }
  const keep = new Set(wanted.map((w) => lower.get(w.toLowerCase())));
  return found.filter((f) => keep.has(f));
}

/** The metadata file directly in `dir`, or null. Two of them is ambiguous and refused. */
export async function findMetadata(dir: string): Promise<string | null> {
  const present: string[] = [];
  for (const name of metadataNames) {
    const abs = join(dir, name);
    if (await stat(abs).then((s) => s.isFile(), () => false)) present.push(abs);
  }
  if (present.length > 1) {
    throw new Img2npyError('labels-invalid', `Both ${present.join(' and ')} exist: keep one, or choose with --labels FILE`, { file: present[0] });
  }
  return present[0] ?? null;
}
