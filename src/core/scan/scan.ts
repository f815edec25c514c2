/**
 * Finds the images of a folder and their classes: root/<class>/.../<file>. Two orders:
 * 'default' sorts each class's files by their whole relative path; 'keras' reproduces Keras 3's
 * `index_directory` exactly (see `orderFiles`). Both compare strings by code point, as Python's
 * `sorted` does. Labels come from folders ('inferred'), from nowhere ('none': like Keras with
 * `labels=None`, every image under the root, folders ignored) or from a CSV file.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { readLabelsCsv, sortLabelNames } from './labels-csv.js';
import { compareCodePoints, sortedByCodePoint } from './order.js';
import { type WalkContext, type WalkedDir, type WalkedFile, matchExtension, throwIfCancelled, topEntryKind, walkTree } from './walk.js';
import type { ScanOptions, ScanResult, ScannedFile } from '../types.js';

const listed = (names: string[], max = 5): string =>
  names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/**
 * Puts walked files in output order. 'keras' is `iter_valid_files`: folders in the order of
 * their full path string (Python sorts the `os.walk` tuples by `root`, whose separator is the
 * platform's), then files by name inside each folder; so a folder's own files come before its
 * sub-folders' and 'a' < 'a b' < 'a/x'. 'default' sorts by the '/'-joined relative path.
 */
function orderFiles(dirs: WalkedDir[], order: ScanOptions['order']): WalkedFile[] {
  if (order === 'keras') {
    const keyed = dirs.map((d) => ({ key: d.segments.join(sep), files: d.files }));
    keyed.sort((a, b) => compareCodePoints(a.key, b.key));
    return keyed.flatMap((d) => d.files.slice().sort((a, b) => compareCodePoints(a.name, b.name)));
  }
  return dirs.flatMap((d) => d.files).sort((a, b) => compareCodePoints(a.rel, b.rel));
}

function checkOptions(opts: ScanOptions): string[] {
  if (!Array.isArray(opts.extensions) || opts.extensions.length === 0 || opts.extensions.some((e) => typeof e !== 'string' || !/^\.[^./\\]+$/.test(e))) {
    throw new Img2npyError('invalid-option', `Expected a non-empty list of extensions such as .jpg for extensions but received ${JSON.stringify(opts.extensions)}`, { option: 'extensions' });
  }
  if (opts.classNames !== null) {
    const names = opts.classNames;
    if (!Array.isArray(names) || names.length === 0 || new Set(names).size !== names.length) {
      throw new Img2npyError('invalid-option', `Expected a non-empty list of distinct names for classNames but received ${JSON.stringify(names)}`, { option: 'classNames' });
    }
    if (opts.labels === 'none') {
      throw new Img2npyError('invalid-option', 'classNames cannot be given with labels none (Keras refuses class_names with labels=None too)', { option: 'classNames' });
    }
  }
  return opts.extensions.map((e) => e.toLowerCase());
}

async function openRoot(root: string, signal?: AbortSignal): Promise<Dirent[]> {
  throwIfCancelled(signal);
  try {
    const s = await stat(root);
    if (!s.isDirectory()) throw new Img2npyError('input-not-found', `Input ${root} is a file, not a folder`, { file: root });
    return await readdir(root, { withFileTypes: true });
  } catch (cause) {
    if (cause instanceof Img2npyError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Img2npyError('input-not-found', `Input folder ${root} does not exist`, { file: root, cause });
    throw new Img2npyError('input-unreadable', `Input folder ${root} cannot be read (${code ?? String(cause)})`, { file: root, cause });
  }
}

/**
 * Resolves the class order: the explicit `classNames` (Keras 3 accepts any subset of the
 * discovered classes, in the given order, and leaves the others out), else sorted discovery.
 */
function chooseClasses(discovered: string[], opts: ScanOptions, root: string, source: string, warnings: string[]): string[] {
  if (opts.classNames === null) return discovered;
  const found = new Set(discovered);
  const unknown = opts.classNames.filter((c) => !found.has(c));
  if (unknown.length > 0) {
    throw new Img2npyError(
      'invalid-option',
      `Expected classNames from the ${source} of ${root} but ${listed(unknown, 10)} ${unknown.length === 1 ? 'is' : 'are'} not among them; found: ${listed(discovered, 20)}`,
      { option: 'classNames' },
    );
  }
  const wanted = new Set(opts.classNames);
  const left = discovered.filter((c) => !wanted.has(c));
  if (left.length > 0) warnings.push(`Classes not in classNames are left out: ${listed(left, 10)}`);
  return [...opts.classNames];
}

/**
 * Scans `root` for images.
 *
 * @example
 * const scan = await scanFolder('/data/pets', {
 *   extensions: ['.jpg', '.png'], followLinks: false, order: 'default', labels: 'inferred', classNames: null,
 * });
 * scan.classNames; // ['cat', 'dog']
 * @throws {Img2npyError} `input-not-found` / `input-unreadable` naming the root; `no-classes`
 *   (inferred labels, no class folder); `no-images`; `labels-invalid` naming the CSV and line;
 *   `invalid-option` (bad extensions, classNames naming unknown classes or given with labels
 *   none); `cancelled` when `signal` aborts.
 */
export async function scanFolder(root: string, opts: ScanOptions, signal?: AbortSignal): Promise<ScanResult> {
  const extensions = checkOptions(opts);
  const rootAbs = resolve(root);
  const top = await openRoot(rootAbs, signal);
  const ignored: ScanResult['ignored'] = [];
  const warnings: string[] = [];
  const csvAbs = opts.labels === 'inferred' || opts.labels === 'none' ? null : resolve(opts.labels);
  const ctx: WalkContext = {
    extensions,
    keepHidden: opts.order === 'keras',
    followLinks: opts.followLinks,
    signal,
    ignored,
    warnings,
    skipAbs: new Set(csvAbs ? [csvAbs] : []),
  };

  let classNames: string[];
  let files: ScannedFile[];
  if (opts.labels === 'inferred') {
    ({ classNames, files } = await scanClasses(rootAbs, top, opts, ctx));
  } else {
    // Keras indexes from the root down when labels are not inferred: every folder, hidden ones
    // too in its mode, and files lying directly in the root.
    const walked = orderFiles(await walkTree(rootAbs, '', ctx), opts.order);
    if (csvAbs === null) {
      classNames = [];
      files = walked.map((f) => ({ abs: f.abs, rel: f.rel, label: null }));
    } else {
      ({ classNames, files } = await labelFromCsv(walked, csvAbs, rootAbs, opts, ctx));
    }
  }

  if (files.length === 0) {
    throw new Img2npyError(
      'no-images',
      `No images found in ${rootAbs} (accepted extensions: ${extensions.join(' ')})` + (ignored.length ? `; ${ignored.length} files were left out, e.g. ${ignored[0].file}: ${ignored[0].reason}` : ''),
      { file: rootAbs },
    );
  }
  const counts = new Array<number>(classNames.length).fill(0);
  const formats: Record<string, number> = {};
  for (const f of files) {
    if (f.label !== null) counts[f.label]++;
    const ext = matchExtension(f.rel, extensions) as string;
    formats[ext] = (formats[ext] ?? 0) + 1;
  }
  const emptyClasses = classNames.filter((_, i) => counts[i] === 0);
  if (emptyClasses.length > 0) warnings.push(`Classes with no images (they keep their index): ${listed(emptyClasses, 10)}`);
  return {
    root: rootAbs,
    classNames,
    files,
    countsPerClass: Object.fromEntries(classNames.map((c, i) => [c, counts[i]])),
    emptyClasses,
    formats,
    ignored,
    warnings,
  };
}

async function scanClasses(rootAbs: string, top: Dirent[], opts: ScanOptions, ctx: WalkContext): Promise<{ classNames: string[]; files: ScannedFile[] }> {
  const dirs: string[] = [];
  const loose: string[] = [];
  for (const entry of top) {
    // Hidden class folders are skipped in both orders, as Keras does; hidden root files too.
    if (entry.name.startsWith('.')) continue;
    const abs = join(rootAbs, entry.name);
    if (ctx.skipAbs.has(abs)) continue;
    // A link to a folder is a class only with followLinks, as the README promises (Keras would
    // take it: one linked folder could put the same images under two labels).
    const kind = await topEntryKind(abs, entry, ctx);
    if (kind === 'skip') continue;
    if (kind === 'dir' || kind === 'link-dir') dirs.push(entry.name);
    else if (kind === 'broken') ctx.ignored.push({ file: entry.name, code: 'input-not-found', reason: 'broken link: its target does not exist' });
    else {
      ctx.ignored.push({ file: entry.name, code: 'no-classes', reason: 'lies directly in the input folder, not in a class folder' });
      if (matchExtension(entry.name, ctx.extensions) !== null) loose.push(entry.name);
    }
  }
  if (loose.length > 0) {
    ctx.warnings.push(`${loose.length} image${loose.length === 1 ? '' : 's'} directly in ${rootAbs} belong to no class and are left out: ${listed(loose)} (use labels none to take every image without classes)`);
  }
  const discovered = sortedByCodePoint(dirs);
  if (discovered.length === 0) {
    throw new Img2npyError(
      'no-classes',
      `No class folders in ${rootAbs}: expected ${rootAbs}${sep}<class>${sep}<image>` + (loose.length ? ` (found ${loose.length} images directly in it; use labels none)` : ''),
      { file: rootAbs },
    );
  }
  const classNames = chooseClasses(discovered, opts, rootAbs, 'class folders', ctx.warnings);
  const files: ScannedFile[] = [];
  for (let label = 0; label < classNames.length; label++) {
    const name = classNames[label];
    const walked = orderFiles(await walkTree(join(rootAbs, name), name, ctx), opts.order);
    for (const f of walked) files.push({ abs: f.abs, rel: f.rel, label });
  }
  return { classNames, files };
}

async function labelFromCsv(
  walked: WalkedFile[],
  csvAbs: string,
  rootAbs: string,
  opts: ScanOptions,
  ctx: WalkContext,
): Promise<{ classNames: string[]; files: ScannedFile[] }> {
  const rows = await readLabelsCsv(csvAbs);
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const classNames = chooseClasses(sortLabelNames(rows.map((r) => r.label)), opts, rootAbs, `labels in ${csvAbs}`, ctx.warnings);
  const index = new Map(classNames.map((c, i) => [c, i]));
  const files: ScannedFile[] = [];
  const used = new Set<string>();
  for (const f of walked) {
    const row = byPath.get(f.rel);
    if (!row) {
      ctx.ignored.push({ file: f.rel, code: 'labels-invalid', reason: `not listed in ${csvAbs}` });
      continue;
    }
    used.add(row.path);
    const label = index.get(row.label);
    if (label === undefined) {
      ctx.ignored.push({ file: f.rel, code: 'invalid-option', reason: `its label ${JSON.stringify(row.label)} is not in classNames` });
      continue;
    }
    files.push({ abs: f.abs, rel: f.rel, label });
  }
  const missing = rows.filter((r) => !used.has(r.path));
  if (used.size === 0) {
    throw new Img2npyError(
      'labels-invalid',
      `None of the ${rows.length} paths in ${csvAbs} names an image found under ${rootAbs} (line ${rows[0].line}: ${rows[0].path}); paths must be relative to the input folder`,
      { file: csvAbs },
    );
  }
  if (missing.length > 0) {
    ctx.warnings.push(
      `${missing.length} row${missing.length === 1 ? '' : 's'} of ${csvAbs} name no image found under ${rootAbs}: ${listed(missing.map((r) => `line ${r.line}: ${r.path}`))}`,
    );
  }
  return { classNames, files };
}
