/**
 * Moves a finished job's staged arrays to their destinations. Everything is assembled inside the
 * job's temporary folder first (npz packing included); only then are the finished files renamed
 * into place, so a failure or cancel before that point leaves nothing at the destination.
 */
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Img2npyError } from '../shared/errors.js';
import { packNpz } from './npz-pack.js';
import { type OutputLayout, type SubsetName, outputPath } from './output-paths.js';
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

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(path)) total += (await stat(join(path, e))).size;
  return total;
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
        from = join(layout.tempDir, basename(to));
        const entries = Object.entries(shard.files).map(([name, file]) => ({ name: `${name}.npy`, file }));
        await packNpz(entries, from, { compress: opts.compress, signal: opts.signal });
        await rm(shard.dir, { recursive: true, force: true });
      }
      bytes += await sizeOf(from);
      moves.push({ from, to });
      files.push(to);
    }
    outputs.push({ subset, path: outputPath(layout, subset), files, samples: shards.reduce((n, s) => n + s.rows, 0), bytes });
  }
  const manifestTemp = join(layout.tempDir, 'manifest.json');
  await writeFile(manifestTemp, JSON.stringify(opts.manifest(outputs), null, 2) + '\n');
  moves.push({ from: manifestTemp, to: layout.manifest });
  opts.signal?.throwIfAborted();

  if (opts.overwrite) await clearOldOutputs(layout, moves);
  for (const move of moves) {
    try {
      await rename(move.from, move.to);
    } catch (err) {
      throw new Img2npyError('write-failed', `Cannot move the finished output into ${move.to}: ${(err as Error).message}`, { file: move.to, cause: err });
    }
  }
  return outputs;
}

/** With --overwrite, old outputs (and stale shards of an earlier shard count) go just before the swap. */
async function clearOldOutputs(layout: OutputLayout, moves: Move[]): Promise<void> {
  const dir = dirname(layout.base);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const subset of layout.subsets) {
    const prefix = basename(outputPath(layout, subset)).replace(/\.npz$/i, '');
    for (const e of entries) {
      if (e.startsWith(prefix + '-') && /-\d{5}-of-\d{5}(\.npz)?$/i.test(e)) await rm(join(dir, e), { recursive: true, force: true });
    }
  }
  for (const move of moves) {
    const s = await stat(move.to).catch(() => null);
    // A folder cannot be renamed over; a file can, atomically, so files are left to rename().
    if (s?.isDirectory()) await rm(move.to, { recursive: true, force: true });
  }
}
