/**
 * The directory walk under one top folder (a class folder, or the input root when labels do not
 * come from folders). It collects every folder with its image files, unsorted: scan.ts orders
 * them. Links to files inside the input are taken, as Python's `os.walk` lists them with the
 * files; links to files outside the input and links to folders are taken only with
 * `followLinks` (as the README promises), and a link back to a folder on the current path (a
 * loop) is cut instead of being walked until the OS gives up, as `os.walk` would.
 *
 * Never scanned: img2npy's own outputs (recognised by their manifest, see own-outputs.ts) and
 * temporary folders, so an output written inside the input never becomes a class; and names
 * that are not valid UTF-8, which would otherwise all read as the same "�" name.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { ScanResult } from '../types.js';
import { manifestSuffix, readOwnManifest } from './own-outputs.js';

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
  let accepted = extensionSets.get(extensions);
  if (!accepted) extensionSets.set(extensions, (accepted = new Set(extensions)));
  const lower = name.toLowerCase();
  // Suffixes from each dot, leftmost first: the first accepted one is the longest match. One
  // lookup per dot in the name instead of a test per accepted extension, for every file scanned.
  for (let dot = lower.indexOf('.'); dot >= 0; dot = lower.indexOf('.', dot + 1)) {
    if (accepted.has(lower.slice(dot))) return lower.slice(dot + 1);
  }
  return null;
}

const extensionSets = new WeakMap<readonly string[], Set<string>>();

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

/** A folder's own-output names (name → the manifest listing it) and its names that are not UTF-8. */
interface FolderFacts {
  own: Map<string, string>;
  badNames: Set<string>;
}

/** Per walk (keyed by its context): each folder's facts, read once. */
const folderFacts = new WeakMap<WalkContext, Map<string, Promise<FolderFacts>>>();

const tempFolder = /^\.img2npy-.+\.tmp$/;

/**
 * The facts of folder `dir`, from its listing `entries` when the caller has it (else read here).
 * Only manifests are opened, and the folder is listed again as bytes only when a name holds
 * U+FFFD (what an invalid byte decodes to): per file that second listing and its buffers cost
 * more than the rest of the scan.
 */
function factsOf(dir: string, ctx: WalkContext, entries?: readonly Dirent[]): Promise<FolderFacts> {
  let byDir = folderFacts.get(ctx);
  if (!byDir) folderFacts.set(ctx, (byDir = new Map()));
  let facts = byDir.get(dir);
  if (!facts) {
    facts = (async () => {
      const own = new Map<string, string>();
      const badNames = new Set<string>();
      const listed = entries ?? (await readdir(dir, { withFileTypes: true }).catch(() => []));
      for (const entry of listed) {
        const name = entry.name;
        if (!name.endsWith(manifestSuffix) || !entry.isFile()) continue;
        const manifest = await readOwnManifest(join(dir, name));
        if (manifest) {
          own.set(name, name);
          for (const o of manifest.outputs) own.set(o, name);
        }
      }
      if (listed.some((e) => e.name.includes('\uFFFD'))) {
        const raw = await readdir(dir, { withFileTypes: true, encoding: 'buffer' }).catch(() => []);
        for (const entry of raw) {
          const name = entry.name.toString('utf8');
          if (name.includes('\uFFFD') && !Buffer.from(name, 'utf8').equals(entry.name)) badNames.add(name);
        }
      }
      return { own, badNames };
    })();
    byDir.set(dir, facts);
  }
  return facts;
}

/**
 * Whether an entry must never be scanned, and why: an img2npy output or temporary folder, or a
 * name that is not valid UTF-8. Records the reason (warning or ignored entry) and returns true.
 */
async function leaveOut(abs: string, rel: string, entry: Dirent, ctx: WalkContext): Promise<boolean> {
  return leftOut(entry.name, rel, await factsOf(dirname(abs), ctx), ctx);
}

/** leaveOut for an entry of a folder whose facts are at hand. */
function leftOut(name: string, rel: string, facts: FolderFacts, ctx: WalkContext): boolean {
  if (tempFolder.test(name)) return true;
  const manifest = facts.own.get(name);
  if (manifest !== undefined) {
    if (manifest !== name) ctx.warnings.push(`Left out ${rel}: an img2npy output (listed by ${manifest}), never scanned as input`);
    return true;
  }
  if (name.includes('\uFFFD') && facts.badNames.has(name)) {
    ctx.ignored.push({
      file: rel,
      code: 'input-unreadable',
      reason: 'its name is not valid UTF-8 (shown here with \uFFFD), so it cannot be written to paths or class_names; rename it',
    });
    return true;
  }
  return false;
}

/**
 * What a top-level entry of the input is, for the class-folder listing: like `entryKind`, but
 * 'skip' for entries recorded and left out here (own outputs, non-UTF-8 names, links to folders
 * without `followLinks`).
 */
export async function topEntryKind(abs: string, entry: Dirent, ctx: WalkContext): Promise<Kind | 'skip'> {
  if (await leaveOut(abs, entry.name, entry, ctx)) return 'skip';
  const kind = await entryKind(abs, entry);
  if (kind === 'link-dir' && !ctx.followLinks) {
    ctx.ignored.push({ file: `${entry.name}/`, code: 'input-unreadable', reason: 'link to a folder, not followed (turn on followLinks to take it as a class)' });
    return 'skip';
  }
  return kind;
}

/** True when a link's target lies outside `rootReal` (or cannot be resolved). */
async function pointsOutside(abs: string, rootReal: string): Promise<string | null> {
  const real = await realpath(abs).catch(() => null);
  if (real === null) return abs;
  return real === rootReal || real.startsWith(rootReal + sep) ? null : real;
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
  // The input root: the top itself, or the folder holding the class folder `topRel`.
  const rootAbs = topRel === '' ? topAbs : dirname(topAbs);
  const rootReal = await realpath(rootAbs).catch(() => rootAbs);
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
    const facts = await factsOf(dir.abs, ctx, entries);
    // Names from a listing hold no separator: joined by hand, as path.join's normalising cost
    // more per file than the rest of this loop.
    const base = dir.abs.endsWith(sep) ? dir.abs : dir.abs + sep;
    const relBase = relOf(topRel, dir.segments);
    for (const entry of entries) {
      const name = entry.name;
      if (!ctx.keepHidden && name.startsWith('.')) continue;
      const abs = base + name;
      if (ctx.skipAbs.has(abs)) continue;
      const rel = relBase === '' ? name : `${relBase}/${name}`;
      if (leftOut(name, rel, facts, ctx)) continue;
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
      const outside = entry.isSymbolicLink() && !ctx.followLinks ? await pointsOutside(abs, rootReal) : null;
      if (outside !== null) {
        ctx.ignored.push({ file: rel, code: 'input-unreadable', reason: `link to a file outside the input (${outside}), not followed (turn on followLinks to take it)` });
        continue;
      }
      files.push({ abs, rel, name, ext });
    }
    out.push({ segments: dir.segments, files });
  }
  return out;
}
