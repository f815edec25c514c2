/**
 * Choosing an archive as the input: the file dialog's settings and the check on its answer.
 * Linux and Windows dialogs pick files or folders, never both, so an archive has its own
 * Browse archive… button beside Browse…; both answers become `input` grants alike.
 */
import type { OpenDialogOptions } from 'electron';
import { archiveSuffixes } from '../shared/api.js';
import { Img2npyError } from '../shared/errors.js';

/**
 * Dialog filters take one extension after the last dot, so `.tar.gz` is offered as `gz`; the
 * answer is checked against the whole suffixes (a lone .gz is refused by archivePicked).
 */
export const archiveDialog = {
  title: 'Choose the image archive',
  properties: ['openFile', 'dontAddToRecent'],
  filters: [{ name: `Archives (${archiveSuffixes.join(', ')})`, extensions: [...new Set(archiveSuffixes.map((s) => s.slice(s.lastIndexOf('.') + 1)))] }],
} satisfies OpenDialogOptions;

/**
 * The archive dialog's answer: null when cancelled, the path when it names an archive.
 * @example archivePicked('/data/pets.tgz'); // '/data/pets.tgz'
 * @throws {Img2npyError} `input-unreadable` naming the file when it is not a .zip, .tar, .tar.gz
 *   or .tgz (a dialog's "All files" lets anything through); nothing is granted then.
 */
export function archivePicked(path: string | null): string | null {
  if (path === null) return null;
  const lower = path.toLowerCase();
  if (archiveSuffixes.some((s) => lower.endsWith(s))) return path;
  throw new Img2npyError('input-unreadable', `${path} is not a ${archiveSuffixes.join(', ')} archive: choose one with Browse archive…, or an image folder with Browse…`, { file: path });
}
