/**
 * Moves a finished job's staged arrays to their destinations. Everything is assembled inside the
 * job's temporary folder first (archives streamed there by the subset writer, or packed here);
 * only then are the finished files renamed into place, so a failure or cancel before that point
 * leaves nothing at the destination.
 */
import { link, mkdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { sizeOf } from '../arrays/npy-io.js';
import { packNpz } from '../arrays/npz-pack.js';
import type { SubsetName } from '../types.js';
import { destinationEntries } from './destination.js';
import { type OutputLayout, outputPath } from './output-paths.js';
import type { StagedShard } from './subset-writer.js';

export interface PublishedOutput {
  subset: SubsetName;
  /** The subset's main path (unsharded name, used as the handle in reports). */
  path: string;
  files: string[];
  samples: number;
  bytes: number;
}

interface Move {
  from: string;
  to: string;
}

/**
 * Packs (npz) or keeps (npy folders) each staged shard, then renames all into place.
 * @throws Img2npyError `write-failed` naming the path, `cancelled` on abort.
 */
export async function publish(
  layout: OutputLayout,
  staged: Map<SubsetName, StagedShard[]>,
  opts: { compress: boolean; overwrite: boolean; manifest: (outputs: PublishedOutput[]) => unknown; signal?: AbortSignal },
): Promise<PublishedOutput[]> {
  const moves: Move[] = [];
  const outputs: PublishedOutput[] = [];
  for (const [subset, shards] of staged) {
    const sharded = shards.length > 1;
    const files: string[] = [];
    let bytes = 0;
    for (const [index, shard] of shards.entries()) {
      const to = outputPath(layout, subset, sharded ? { index, count: shards.length } : undefined);
      let from = shard.dir;
      if (layout.kind === 'npz') {
        if (shard.archive) {
          // Streamed by the subset writer as the rows came (x written once, never copied).
          from = shard.archive;
        } else {
          from = join(layout.tempDir, basename(to));
          const entries = Object.entries(shard.files).map(([name, file]) => ({ name: `${name}.npy`, file }));
          await packNpz(entries, from, { compress: opts.compress, signal: opts.signal });
        }
        // Ours: the subset writer made this folder inside the job's claimed temporary folder.
        await rm(shard.dir, { recursive: true, force: true });
      }
      bytes += await sizeOf(from);
      moves.push({ from, to });
      files.push(to);
    }
    outputs.push({ subset, path: outputPath(layout, subset), files, samples: shards.reduce((n, s) => n + s.rows, 0), bytes });
  }
  const manifestTemp = join(layout.tempDir, 'manifest.json');
  await writeFile(manifestTemp, JSON.stringify(opts.manifest(outputs), null, 2) + '\n').catch((err: Error) => {
    throw new Img2npyError('write-failed', `Cannot write the manifest in ${layout.tempDir}: ${err.message}`, { file: manifestTemp, cause: err });
  });
  moves.push({ from: manifestTemp, to: layout.manifest });
  opts.signal?.throwIfAborted();
  await swapIn(layout, moves, opts.overwrite, opts.signal);
  return outputs;
}

/**
 * Puts one finished file or folder at `to` only if nothing is there, atomically: a file by
 * link(2), which fails with EEXIST; a folder by claiming the name with mkdir(2) (EEXIST again)
 * and renaming the staged folder onto that claimed, empty folder. Returns false when the name
 * is taken.
 */
async function placeNew(from: string, to: string): Promise<boolean> {
  const isDir = (await stat(from)).isDirectory();
  try {
    if (isDir) await mkdir(to);
    else await link(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  if (isDir) {
    await rename(from, to).catch(async (err) => {
      await rmdir(to).catch(() => undefined); // our own claim, still empty: rmdir removes nothing else
      throw err;
    });
  } else {
    await unlink(from);
  }
  return true;
}

function raced(path: string, what: string): Img2npyError {
  return new Img2npyError(
    'write-failed',
    `Output ${path} appeared while this job ran (${what}), so this job's result was not published and nothing there was replaced; run again with another destination (--out)`,
    { file: path },
  );
}

/**
 * Moves the finished files into place without ever replacing anything unchecked. With overwrite,
 * the destination is checked again now (not only at the start) and only img2npy's own earlier
 * outputs are moved aside into the temporary folder; then every finished file is placed with a
 * no-replace move, the manifest first, so of two runs racing for one name exactly one wins.
 * A failure puts everything back as it was.
 */
async function swapIn(layout: OutputLayout, moves: Move[], overwrite: boolean, signal?: AbortSignal): Promise<void> {
  const backups: Move[] = [];
  const done: Move[] = [];
  const backupDir = join(layout.tempDir, 'replaced');
  try {
    const existing = await destinationEntries(layout);
    for (const e of existing) {
      if (!overwrite) throw raced(e.path, e.what);
      if (!e.ours) throw raced(e.path, `${e.what}, which img2npy did not write`);
    }
    if (existing.length) await mkdir(backupDir, { recursive: true });
    for (const e of existing) {
      const backup = join(backupDir, String(backups.length));
      await rename(e.path, backup);
      backups.push({ from: backup, to: e.path });
    }
    const ordered = [...moves.filter((m) => m.to === layout.manifest), ...moves.filter((m) => m.to !== layout.manifest)];
    for (const move of ordered) {
      // A cancel (or the launcher's death) up to the last move still leaves nothing published.
      signal?.throwIfAborted();
      if (!(await placeNew(move.from, move.to))) throw raced(move.to, 'written by another run or program');
      done.push(move);
    }
  } catch (err) {
    // Undo in reverse: our new files back out, the old ones back in. Only paths this job placed
    // (done) or moved aside (backups) are touched.
    for (const move of done.reverse()) await rename(move.to, move.from).catch(() => undefined);
    for (const b of backups.reverse()) await rename(b.from, b.to).catch(() => undefined);
    if (err instanceof Img2npyError || signal?.aborted) throw err;
    const file = (err as NodeJS.ErrnoException).path ?? layout.base;
    throw new Img2npyError('write-failed', `Cannot move the finished output into place (${file}): ${(err as Error).message}; previous outputs were kept`, { file, cause: err });
  }
  // Safe to delete: everything under backupDir was moved there by the loop above, and only
  // after destinationEntries found it to be img2npy's own output (listed by its manifest,
  // no foreign files, not a link) at this very moment.
  await rm(backupDir, { recursive: true, force: true });
}
