/**
 * Where `inspect --grid` may write its contact sheet: never onto (or into) the array file being
 * inspected, never over an existing file without overwrite, and only whole: the PNG is written
 * beside its destination first and put in place in one step, so a failure leaves nothing half
 * written and an existing file is either kept or fully replaced.
 */
import { link, lstat, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';

async function realish(path: string): Promise<string> {
  const real = await realpath(path).catch(() => null);
  if (real !== null) return real;
  const parent = dirname(resolve(path));
  return parent === resolve(path) ? parent : join(await realish(parent), basename(path));
}

/**
 * @throws Img2npyError `invalid-option` (option `grid`) when `out` is the inspected file or lies
 *   inside the inspected folder; `output-exists` when something is at `out` and overwrite is
 *   off, or it is not a regular file.
 */
export async function checkSheetDestination(inspected: string, out: string, overwrite: boolean): Promise<void> {
  const realOut = await realish(out);
  const realIn = await realish(inspected);
  const rel = relative(realIn, realOut);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new Img2npyError('invalid-option', `Contact sheet ${out} would overwrite the inspected ${inspected}; choose another path (--grid)`, { option: 'grid', file: out });
  }
  const s = await lstat(out).catch(() => null);
  if (!s) return;
  if (!s.isFile()) {
    throw new Img2npyError('output-exists', `Contact sheet ${out} already exists and is ${s.isDirectory() ? 'a folder' : s.isSymbolicLink() ? 'a link' : 'not a regular file'}; choose another path (--grid)`, { file: out });
  }
  if (!overwrite) throw new Img2npyError('output-exists', `Contact sheet ${out} already exists; turn on overwrite (--overwrite) to replace it`, { file: out });
}

/**
 * Writes `bytes` to `out` atomically: to a temporary name beside it, then link(2) (fails if the
 * name appeared meanwhile) or, with overwrite, rename(2) over the regular file checked before.
 * @throws Img2npyError `write-failed` / `output-exists` naming `out`.
 */
export async function writeSheet(out: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = join(dirname(resolve(out)), `.${basename(out)}.img2npy-${process.pid}-${Date.now()}.tmp`);
  let created = false;
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    created = true;
    if (overwrite) await rename(temp, out);
    else await link(temp, out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && created) throw new Img2npyError('output-exists', `Contact sheet ${out} appeared while it was being drawn; nothing was replaced`, { file: out });
    throw new Img2npyError('write-failed', `Cannot write contact sheet ${out}: ${(err as Error).message}`, { file: out, cause: err });
  } finally {
    // Only a file this call created ('wx' refuses an existing one); after link or rename it is
    // either a second name of the sheet or gone.
    if (created) await rm(temp, { force: true });
  }
}
