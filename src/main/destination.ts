/**
 * What sits at an output path, in words a confirmation dialog can show before it is replaced.
 * Main asks the user before every replacement; the engine's own rules (never the input, only a
 * previous img2npy output) still decide at publish time.
 */
import { lstat, readdir } from 'node:fs/promises';

export interface ExistingOutput {
  path: string;
  kind: 'file' | 'folder' | 'other';
  /** e.g. "a file of 1.2 MB" or "a folder with 3 items (x.npy, y.npy, manifest.json)". */
  description: string;
}

function size(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) (value /= 1024), unit++;
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The engine's view of a destination (core's `DestinationState`), as far as main needs it. */
export interface DestinationFacts {
  existing: { path: string; ours: boolean; what: string }[];
}

/** Turns the engine's checked destination into the question's words; null when nothing is there. */
export function describeDestination(output: string, state: DestinationFacts): ExistingOutput | null {
  if (state.existing.length === 0) return null;
  const parts = state.existing.map((e) => (e.path === output ? e.what : `${e.path} (${e.what})`));
  return { path: output, kind: 'other', description: parts.join('; ') };
}

/** Null when nothing is at `path`. */
export async function existingOutput(path: string): Promise<ExistingOutput | null> {
  const stats = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
  if (!stats) return null;
  if (stats.isFile()) return { path, kind: 'file', description: `a file of ${size(stats.size)}` };
  if (!stats.isDirectory()) return { path, kind: 'other', description: 'something that is neither a file nor a folder' };
  const names = (await readdir(path)).sort();
  const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ', …' : '');
  return { path, kind: 'folder', description: names.length === 0 ? 'an empty folder' : `a folder with ${names.length} item${names.length === 1 ? '' : 's'} (${shown})` };
}

/**
 * The replace question as the message box shows it. "Keep it" is the default button and what
 * Escape answers, so replacing always takes a deliberate click.
 */
export function replaceQuestion(existing: ExistingOutput) {
  return {
    type: 'warning' as const,
    title: 'Replace the output?',
    message: `Replace ${existing.path}?`,
    detail: `It holds ${existing.description}. Converting deletes it and writes the new arrays in its place.`,
    buttons: ['Keep it', 'Replace'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}
