/**
 * Moves a finished job's staged arrays to their destinations. Everything is assembled inside the
 * job's temporary folder first (npz packing included); only then are the finished files renamed
 * into place, so a failure or cancel before that point leaves nothing at the destination.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { packNpz } from '../arrays/npz-pack.js';
import type { SubsetName } from '../types.js';
import { type OutputLayout, existingShards, outputPath } from './output-paths.js';
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
  await writeFile(manifestTemp, JSON.stringify(opts.manifest(outputs), null, 2) + '\n').catch((err: Error) => {
    throw new Img2npyError('write-failed', `Cannot write the manifest in ${layout.tempDir}: ${err.message}`, { file: manifestTemp, cause: err });
  });
  moves.push({ from: manifestTemp, to: layout.manifest });
  opts.signal?.throwIfAborted();
  await swapIn(layout, moves, opts.overwrite);
  return outputs;
}

/**
 * Renames the finished files into place. With overwrite, what they replace (and shards or an
 * unsharded file of an earlier run that this run's names would leave stale) is first moved into
 * the temporary folder, so a failed rename can put everything back as it was.
 */
async function swapIn(layout: OutputLayout, moves: Move[], overwrite: boolean): Promise<void> {
  const backups: Move[] = [];
  const done: Move[] = [];
  const backupDir = join(layout.tempDir, 'replaced');
  try {
    if (overwrite) {
      const old = new Set<string>(moves.map((m) => m.to));
      for (const subset of layout.subsets) {
        for (const shard of await existingShards(layout, subset)) old.add(shard);
        old.add(outputPath(layout, subset));
      }
      await mkdir(backupDir, { recursive: true });
      for (const path of old) {
        const backup = join(backupDir, String(backups.length));
        const moved = await rename(path, backup).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return false;
            throw err;
          },
        );
        if (moved) backups.push({ from: backup, to: path });
      }
    }
    for (const move of moves) {
      await rename(move.from, move.to);
      done.push(move);
    }
  } catch (err) {
    // Undo in reverse: new files back out, old files back in. Best effort: report the first error.
    for (const move of done.reverse()) await rename(move.to, move.from).catch(() => undefined);
    for (const b of backups.reverse()) await rename(b.from, b.to).catch(() => undefined);
    const file = (err as NodeJS.ErrnoException).path ?? layout.base;
    throw new Img2npyError('write-failed', `Cannot move the finished output into place (${file}): ${(err as Error).message}; previous outputs were kept`, { file, cause: err });
  }
}
