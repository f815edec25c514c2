/**
 * Leakage between splits: files with identical bytes in more than one split (a test image that
 * is also a training image inflates every score). An exact content hash (SHA-256) finds them;
 * `dedupe` keeps each file's copies in the first split that has one and drops the later ones.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Img2npyError } from '../../shared/errors.js';
import { type TarGzFeed, readMember, tarGzFeedFor } from './tar-gz-feed.js';
import type { ScannedFile, SubsetName } from '../types.js';

export interface Leakage {
  /** Groups of identical files spanning more than one split, each as 'split: rel' lists. */
  groups: { rel: string; split: SubsetName }[][];
  /** Later copies removed from their split (only with dedupe). */
  dropped: { file: string; keptAs: string }[];
  warnings: string[];
}

/** Reads a file's bytes for hashing; archives supply their own. */
export type ByteSource = (file: ScannedFile) => AsyncIterable<Uint8Array>;

/** Files from disk, archive members from their archive (a .tar.gz's through `feed`, in the order hashed). */
const fromDisk =
  (feed: TarGzFeed | null): ByteSource =>
  (file) =>
    file.source ? archiveMember(feed, file) : createReadStream(file.abs);

async function* archiveMember(feed: TarGzFeed | null, file: ScannedFile): AsyncIterable<Uint8Array> {
  yield await readMember(feed, file.source!, file.abs);
}

async function hashOf(file: ScannedFile, read: ByteSource): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of read(file)) hash.update(chunk);
  } catch (cause) {
    throw new Img2npyError('input-unreadable', `Cannot read ${file.rel} to compare it across splits: ${(cause as Error).message}`, { file: file.abs, cause });
  }
  return hash.digest('hex');
}

/**
 * Finds identical files across `splitNames` (in that order) and, with `dedupe`, removes the
 * later copies from `subsets` in place. Files are hashed a few at a time, in bounded memory.
 *
 * @example
 * const leak = await findLeakage(subsets, ['train', 'test'], { dedupe: true });
 * leak.dropped; // [{ file: 'test/cat/7.png', keptAs: 'train/cat/1.png' }]
 * @throws {Img2npyError} `input-unreadable` naming a file that cannot be read; `cancelled`.
 */
export async function findLeakage(
  subsets: Record<SubsetName, ScannedFile[]>,
  splitNames: readonly SubsetName[],
  opts: { dedupe: boolean; signal?: AbortSignal; read?: ByteSource; concurrency?: number },
): Promise<Leakage> {
  const entries = splitNames.flatMap((split) => subsets[split].map((file) => ({ split, file })));
  using feed = opts.read ? null : tarGzFeedFor(entries.map((e) => e.file), { signal: opts.signal });
  const read = opts.read ?? fromDisk(feed);
  const hashes = new Array<string>(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      opts.signal?.throwIfAborted();
      const i = next++;
      hashes[i] = await hashOf(entries[i].file, read);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, entries.length) }, worker));

  const byHash = new Map<string, number[]>();
  hashes.forEach((h, i) => {
    const list = byHash.get(h);
    if (list) list.push(i);
    else byHash.set(h, [i]);
  });
  const groups: Leakage['groups'] = [];
  const drop = new Set<ScannedFile>();
  const dropped: Leakage['dropped'] = [];
  for (const members of byHash.values()) {
    if (new Set(members.map((i) => entries[i].split)).size < 2) continue;
    groups.push(members.map((i) => ({ rel: entries[i].file.rel, split: entries[i].split })));
    if (!opts.dedupe) continue;
    // Entries are in split order: the first member's split keeps its copies.
    const firstSplit = entries[members[0]].split;
    for (const i of members) {
      if (entries[i].split === firstSplit) continue;
      drop.add(entries[i].file);
      dropped.push({ file: entries[i].file.rel, keptAs: entries[members[0]].file.rel });
    }
  }
  if (drop.size > 0) for (const split of splitNames) subsets[split] = subsets[split].filter((f) => !drop.has(f));

  const warnings: string[] = [];
  if (groups.length > 0) {
    const files = groups.reduce((n, g) => n + g.length, 0);
    const shown = groups.slice(0, 5).map((g) => g.map((m) => m.rel).join(' = ')).join('; ');
    warnings.push(
      opts.dedupe
        ? `Leakage between splits: ${groups.length} image${groups.length === 1 ? '' : 's'} had identical copies in more than one split; dropped ${dropped.length} later cop${dropped.length === 1 ? 'y' : 'ies'} (listed as skipped): ${shown}${groups.length > 5 ? ` and ${groups.length - 5} more` : ''}`
        : `Leakage between splits: ${files} files in ${groups.length} group${groups.length === 1 ? '' : 's'} have identical content in more than one split: ${shown}${groups.length > 5 ? ` and ${groups.length - 5} more` : ''}; --dedupe keeps the first copy and drops the others`,
    );
  }
  return { groups, dropped, warnings };
}
