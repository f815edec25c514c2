/**
 * The directory walk under one top folder (a class folder, or the input root when labels do not
 * come from folders). It collects every folder with its image files, unsorted: scan.ts orders
 * them. Links to files are always taken, as Python's `os.walk` lists them with the files; links
 * to folders are entered only with `followLinks`, and a link back to a folder on the current
 * path (a loop) is cut instead of being walked until the OS gives up, as `os.walk` would.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { ScanResult } from '../types.js';

export interface WalkedFile {
  abs: string;
  /** Relative to the input root, '/'-separated. */
  rel: string;
  name: string;
  /** The matched extension, lower case without the dot. */
  ext: string;
}

export interface WalkedDir {
  /** Path segments below the walk's top folder ([] for the top itself). */
  segments: string[];
  files: WalkedFile[];
}

export interface WalkContext {
  extensions: readonly string[];
  /** Keep names starting with '.' (Keras mode: os.walk skips nothing). */
  keepHidden: boolean;
  followLinks: boolean;
  signal?: AbortSignal;
  ignored: ScanResult['ignored'];
  warnings: string[];
  /** Absolute paths never to report (the labels CSV when it lives inside the root). */
  skipAbs: ReadonlySet<string>;
}

/**
 * @example
 * throwIfCancelled(signal); // before each directory read
 * @throws {Img2npyError} `cancelled` when the signal has fired.
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Img2npyError('cancelled', 'Scan cancelled');
}

/**
 * The extension of `name` found in `extensions` (longest wins), lower case without the dot.
 * Matching is `name.lower().endswith(ext)` as Keras does, so '.jpg' alone is a JPEG name.
 *
 * @example
 * matchExtension('IMG.JPG', ['.jpg', '.png']); // 'jpg'
 */
export function matchExtension(name: string, extensions: readonly string[]): string | null {
  const lower = name.toLowerCase();
  let best: string | null = null;
  for (const e of extensions) {
    if (lower.endsWith(e) && (best === null || e.length > best.length)) best = e;
  }
  return best === null ? null : best.slice(1);
}

type Kind = 'file' | 'dir' | 'link-dir' | 'broken' | 'other';

/**
 * Resolves what a directory entry is, following a link to see its target's kind.
 *
 * @example
 * await entryKind('/data/cats/link', dirent); // 'link-dir'
 */
export async function entryKind(abs: string, entry: Dirent): Promise<Kind> {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = await stat(abs);
    return target.isDirectory() ? 'link-dir' : target.isFile() ? 'file' : 'other';
  } catch {
    // ENOENT for a dangling link, ELOOP for a link cycle of links: both are unusable.
    return 'broken';
  }
}

interface Pending {
  abs: string;
  segments: string[];
  /** Real paths of this folder and its ancestors, for loop detection (followLinks only). */
  chain: string[];
}

function relOf(topRel: string, segments: string[], name?: string): string {
  const parts = topRel === '' ? [...segments] : [topRel, ...segments];
  if (name !== undefined) parts.push(name);
  return parts.join('/');
}

/**
 * Walks `topAbs` (shown to users as `topRel`) and returns every folder reached, each with its
 * image files. Problems below the top (unreadable folders, broken links, unsupported files)
 * become `ignored` entries rather than errors, since one bad sub-folder should not sink a scan.
 *
 * @example
 * const dirs = await walkTree('/data/pets/cat', 'cat', ctx);
 * @throws {Img2npyError} `cancelled` when `ctx.signal` aborts between directory reads.
 */
export async function walkTree(topAbs: string, topRel: string, ctx: WalkContext): Promise<WalkedDir[]> {
  const out: WalkedDir[] = [];
  const top = ctx.followLinks ? await realpath(topAbs).catch(() => topAbs) : topAbs;
  const stack: Pending[] = [{ abs: topAbs, segments: [], chain: [top] }];
  while (stack.length > 0) {
    throwIfCancelled(ctx.signal);
    const dir = stack.pop() as Pending;
    let entries: Dirent[];
    try {
      entries = await readdir(dir.abs, { withFileTypes: true });
    } catch (cause) {
      const folder = relOf(topRel, dir.segments) || '.';
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      ctx.ignored.push({ file: `${folder}/`, code: 'input-unreadable', reason: `folder cannot be read (${code}); its files are left out` });
      ctx.warnings.push(`Folder ${folder} cannot be read (${code}); its files are left out`);
      continue;
    }
    const files: WalkedFile[] = [];
    for (const entry of entries) {
      const name = entry.name;
      if (!ctx.keepHidden && name.startsWith('.')) continue;
      const abs = join(dir.abs, name);
      if (ctx.skipAbs.has(abs)) continue;
      const rel = relOf(topRel, dir.segments, name);
      // Plain entries need no system call; only links are stat'ed to learn their target's kind.
      const kind: Kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : await entryKind(abs, entry);
      if (kind === 'dir' || kind === 'link-dir') {
        if (kind === 'link-dir' && !ctx.followLinks) {
          ctx.ignored.push({ file: `${rel}/`, code: 'input-unreadable', reason: 'link to a folder, not followed (turn on followLinks to enter it)' });
          continue;
        }
        let real = '';
        if (ctx.followLinks) {
          real = kind === 'dir' ? join(dir.chain[dir.chain.length - 1], name) : await realpath(abs).catch(() => abs);
          if (dir.chain.includes(real)) {
            ctx.ignored.push({ file: `${rel}/`, code: 'input-unreadable', reason: `link loop: leads back to ${real}, which is already being scanned` });
            continue;
          }
        }
        stack.push({ abs, segments: [...dir.segments, name], chain: ctx.followLinks ? [...dir.chain, real] : dir.chain });
        continue;
      }
      if (kind === 'broken') {
        ctx.ignored.push({ file: rel, code: 'input-not-found', reason: 'broken link: its target does not exist' });
        continue;
      }
      const ext = matchExtension(name, ctx.extensions);
      if (ext === null) {
        ctx.ignored.push({ file: rel, code: 'unreadable-image', reason: `unsupported extension (accepted: ${ctx.extensions.join(' ')})` });
        continue;
      }
      if (kind === 'other') {
        ctx.ignored.push({ file: rel, code: 'unreadable-image', reason: 'not a regular file' });
        continue;
      }
      files.push({ abs, rel, name, ext });
    }
    out.push({ segments: dir.segments, files });
  }
  return out;
}
