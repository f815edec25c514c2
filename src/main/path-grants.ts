/**
 * The paths main may act on: those the user chose in this session (native dialogs, files dropped
 * on the window) and those the app itself wrote. Everything the renderer sends is checked here,
 * so a compromised page cannot convert onto, list, or read from a path the user never picked.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Img2npyError } from '../shared/errors.js';
import type { ConvertOptions } from '../shared/options.js';

/**
 * What a grant allows. `input`: an image folder to scan, preview and convert. `labels`: a CSV to
 * read. `output`: a place to write. `array`: a file to inspect. `written`: an output this session
 * wrote (inspectable, with everything inside it).
 */
export type GrantKind = 'input' | 'labels' | 'output' | 'array' | 'written';

/** Where the user can choose each kind, in the app's own words. */
const howToChoose: Record<Exclude<GrantKind, 'written'>, string> = {
  input: 'choose the image folder with Browse… (an archive with Browse archive…) or drop it on the window',
  labels: 'choose the labels file with its Choose… button',
  output: 'choose where to write with the Output Choose… button',
  array: 'open the file with Open .npy / .npz…',
};

const what: Record<Exclude<GrantKind, 'written'>, string> = {
  input: 'image folder',
  labels: 'labels file',
  output: 'output',
  array: 'array file',
};

export class PathGrants {
  readonly #grants = new Map<string, Set<GrantKind>>();

  /** Records that the user chose `path` (or the app wrote it) for `kinds`. */
  grant(path: string, ...kinds: GrantKind[]): string {
    const key = resolve(path);
    const set = this.#grants.get(key) ?? new Set<GrantKind>();
    for (const kind of kinds) set.add(kind);
    this.#grants.set(key, set);
    return key;
  }

  /** A dropped file can be any of the things a window takes: a folder, a CSV or an array file. */
  grantDropped(path: string): string {
    return this.grant(path, 'input', 'labels', 'array');
  }

  has(path: string, kind: GrantKind): boolean {
    return this.#grants.get(resolve(path))?.has(kind) ?? false;
  }

  /** True when `path` is, or lies inside, an output this session wrote. */
  isWritten(path: string): boolean {
    const target = resolve(path);
    for (const [granted, kinds] of this.#grants) {
      if (!kinds.has('written')) continue;
      const rel = relative(granted, target);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(sep))) return true;
    }
    return false;
  }

  /** Any grant at all (show-in-folder only reveals, so any chosen or written path will do). */
  isKnown(path: string): boolean {
    return (this.#grants.get(resolve(path))?.size ?? 0) > 0 || this.isWritten(path);
  }

  /**
   * Returns `path` when it was granted as `kind` (an array file may also be something this
   * session wrote); otherwise throws, naming the path and how to choose it in the window.
   */
  require(path: string, kind: Exclude<GrantKind, 'written'>): string {
    if (this.has(path, kind) || (kind === 'array' && this.isWritten(path))) return path;
    throw new Img2npyError('path-not-chosen', `The ${what[kind]} ${path} was not chosen in this window: ${howToChoose[kind]}`, {
      file: path,
      option: kind,
    });
  }

  /** Checks the paths an options object carries (the labels CSV). */
  requireOptionPaths(options: Partial<ConvertOptions>): void {
    const labels = options.labels;
    if (typeof labels === 'string' && labels !== 'auto' && labels !== 'inferred' && labels !== 'none') this.require(labels, 'labels');
  }
}
