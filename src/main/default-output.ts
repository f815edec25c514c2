/**
 * Where a conversion writes when the user has not chosen: beside the input folder when its parent
 * is writable (the input itself is often a read-only mount), else the user's Documents folder. A
 * name already taken gets a number, so the default never points at something that exists.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { archiveSuffixes } from '../shared/api.js';

export interface DefaultOutputDeps {
  documentsDir: string;
  /** Resolves true when a file can be created in `dir`. */
  canWrite?(dir: string): Promise<boolean>;
  exists?(path: string): Promise<boolean>;
}

const writable = (dir: string) => access(dir, constants.W_OK | constants.X_OK).then(() => true, () => false);
const present = (path: string) => access(path).then(() => true, () => false);

export async function defaultOutput(input: string, { documentsDir, canWrite = writable, exists = present }: DefaultOutputDeps): Promise<string> {
  const base = basename(input);
  // An archive input names its output without the archive's suffix: pets.tar.gz → pets.npz.
  const suffix = archiveSuffixes.find((s) => base.toLowerCase().endsWith(s) && base.length > s.length);
  const name = (suffix ? base.slice(0, -suffix.length) : base) || 'dataset';
  const parent = dirname(input);
  const dir = parent !== input && (await canWrite(parent)) ? parent : documentsDir;
  for (let n = 1; n < 100; n++) {
    const candidate = join(dir, `${name}${n === 1 ? '' : `-${n}`}.npz`);
    if (!(await exists(candidate))) return candidate;
  }
  return join(dir, `${name}-${Date.now()}.npz`);
}
