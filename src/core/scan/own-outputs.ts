/**
 * Recognises img2npy's own outputs by their manifest (`<name>.manifest.json`), so that a scan
 * never takes an earlier output for input and an overwrite never takes user data for an output.
 * Recognition needs the manifest's own fields (the img2npy version, the job id and the list of
 * output files), not just a name: a user's `notes.manifest.json` is not ours.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** Files a `.npy` output folder may hold: the writer's arrays and nothing else. */
export const outputFolderFiles: readonly string[] = ['x.npy', 'y.npy', 'class_names.npy', 'paths.npy'];

export const manifestSuffix = '.manifest.json';

export interface OwnManifest {
  /** The manifest file itself. */
  path: string;
  /** Base names of the output files and folders it lists (it lies beside them). */
  outputs: Set<string>;
}

/** Manifests are a few kilobytes per thousand classes; anything far larger is not one of ours. */
export const maxManifestBytes = 64 * 1024 * 1024;

/**
 * Reads `path` as an img2npy manifest; null when it is missing, unreadable or not ours. Callers
 * pass only paths they have seen to be regular files: opening a FIFO would block.
 * @example (await readOwnManifest('/data/flowers.manifest.json'))?.outputs.has('flowers.npz')
 */
export async function readOwnManifest(path: string): Promise<OwnManifest | null> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > maxManifestBytes) return null;
    text = buf.toString('utf8');
  } catch {
    return null;
  }
  return parseOwnManifest(text, path);
}

/**
 * `text` as an img2npy manifest found at `path` (a file, or an archive member); null when not ours.
 * @example parseOwnManifest(await readFile(p, 'utf8'), p)?.outputs // Set { 'flowers.npz' }
 */
export function parseOwnManifest(text: string, path: string): OwnManifest | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const m = data as { jobId?: unknown; versions?: { img2npy?: unknown }; outputs?: unknown };
  if (typeof m !== 'object' || m === null || typeof m.jobId !== 'string' || typeof m.versions?.img2npy !== 'string' || !Array.isArray(m.outputs)) return null;
  const outputs = new Set<string>();
  for (const o of m.outputs as { files?: unknown }[]) {
    if (typeof o !== 'object' || o === null || !Array.isArray(o.files)) return null;
    for (const f of o.files) if (typeof f === 'string') outputs.add(basename(f));
  }
  return { path, outputs };
}
