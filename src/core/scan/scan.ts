/**
 * Finds the images of a folder and their classes: root/<class>/.../<file>. Two orders:
 * 'default' sorts each class's files by their whole relative path; 'keras' reproduces Keras 3's
 * `index_directory` exactly (see `orderFiles`). Both compare strings by code point, as Python's
 * `sorted` does. Labels come from folders ('inferred'), from nowhere ('none': like Keras with
 * `labels=None`, every image under the root, folders ignored) or from a labels file ('auto' takes
 * a metadata.csv / metadata.jsonl at the root). A root whose folders are all split names
 * (train/, valid/, test/) is scanned split by split with one shared class list.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { type PlacedTable, chooseLabelTables, labelFromTables } from './labels-file.js';
import { readLabelTable } from './labels-table.js';
import { detectSplitFolders, findMetadata, pickSplits } from './layout.js';
import { type WalkContext, type WalkedFile, matchExtension, throwIfCancelled, topEntryKind, walkTree } from './walk.js';
import { archiveKind } from './archive-members.js';
import { scanArchive } from './scan-archive.js';
import { chooseClasses, filesByClass, looseImagesWarning, orderFiles, scanResult } from './scan-steps.js';
import type { ListingProgress, MetaColumn, ScanLayout, ScanOptions, ScanResult, ScannedFile } from '../types.js';

/** A folder scanned as a whole dataset: the root, or one split folder of it. */
interface Unit {
  abs: string;
  /** '' for the root, else the split folder's name (also the prefix of its files' rel). */
  rel: string;
  split?: string;
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
 *   none); `cancelled` when `signal` aborts. `onListing`: an archive input's listing progress.
 */
export async function scanFolder(root: string, opts: ScanOptions, signal?: AbortSignal, onListing?: ListingProgress): Promise<ScanResult> {
  const extensions = checkOptions(opts);
  const rootAbs = resolve(root);
  // A .zip / .tar file is read in place, as if it were the folder it unpacks to.
  if (archiveKind(rootAbs) !== null && (await stat(rootAbs).then((s) => s.isFile(), () => false))) return scanArchive(rootAbs, opts, extensions, signal, onListing);
  const top = await openRoot(rootAbs, signal);
  const ignored: ScanResult['ignored'] = [];
  const warnings: string[] = [];
  const keras = opts.order === 'keras';
  const layout: ScanLayout = { kind: 'class-folders', splits: [], labelsFile: null, notes: [] };

  const found = await detectSplitFolders(rootAbs, top, opts.followLinks);
  // Keras mode keeps Keras's meaning: every folder is a class.
  const useSplits = found.length > 0 && (opts.splitFolders ?? true) && !keras;
  if (found.length > 0 && keras && opts.labels !== 'none') warnings.push(`Folders ${found.join(', ')} are treated as classes, as Keras does; without like keras each would be its own output`);
  const splits = pickSplits(useSplits ? found : [], opts.splits, rootAbs);
  const units: Unit[] = splits.length ? splits.map((s) => ({ abs: join(rootAbs, s), rel: s, split: s })) : [{ abs: rootAbs, rel: '' }];
  if (splits.length) {
    layout.kind = 'split-folders';
    layout.splits = splits;
    layout.notes.push(`Split folders found in ${rootAbs}: ${splits.join(', ')} (one output each, one shared class list; --no-split-folders treats them as classes)`);
  }

  const tables = await labelTables(rootAbs, units, opts, keras, layout);
  const ctx: WalkContext = {
    extensions,
    keepHidden: keras,
    followLinks: opts.followLinks,
    signal,
    ignored,
    warnings,
    skipAbs: new Set(tables ? tables.map((t) => t.table.file) : []),
  };

  let classNames: string[];
  let files: ScannedFile[];
  let metaColumns: MetaColumn[] = [];
  const choose = (discovered: string[], source: string) => chooseClasses(discovered, opts, rootAbs, source, warnings);
  if (opts.labels === 'none') {
    if (!splits.length) layout.kind = 'flat';
    ({ classNames, files } = await scanUnlabelled(units, opts, ctx));
  } else if (tables === null) {
    ({ classNames, files } = await scanClasses(rootAbs, units, top, opts, ctx, choose));
  } else {
    // Keras indexes from the root down when labels are not inferred: every folder, hidden ones
    // too in its mode, and files lying directly in the root.
    const walked: { file: WalkedFile; split?: string }[] = [];
    for (const u of units) for (const file of orderFiles(await walkTree(u.abs, u.rel, ctx), opts.order)) walked.push({ file, split: u.split });
    ({ classNames, files, metaColumns } = labelFromTables(walked, tables, rootAbs, choose, ctx));
  }

  return scanResult(rootAbs, extensions, { classNames, files, metaColumns, layout, ignored, warnings });
}

/** chooseLabelTables on disk: a metadata file in the root or a split folder. */
function labelTables(rootAbs: string, units: Unit[], opts: ScanOptions, keras: boolean, layout: ScanLayout): Promise<PlacedTable[] | null> {
  return chooseLabelTables(units, opts, keras, layout, async (unit) => {
    const file = await findMetadata(unit ? unit.abs : rootAbs);
    return file === null ? null : { file, read: () => readLabelTable(file, opts.labelColumn ?? null) };
  });
}

async function scanUnlabelled(units: Unit[], opts: ScanOptions, ctx: WalkContext): Promise<{ classNames: string[]; files: ScannedFile[] }> {
  const files: ScannedFile[] = [];
  for (const u of units) {
    for (const f of orderFiles(await walkTree(u.abs, u.rel, ctx), opts.order)) files.push({ abs: f.abs, rel: f.rel, label: null, ...(u.split !== undefined ? { split: u.split } : {}) });
  }
  return { classNames: [], files };
}

/**
 * Class folders of every unit (the root, or each split folder): one sorted class list, the union;
 * files unit by unit, class by class.
 */
async function scanClasses(
  rootAbs: string,
  units: Unit[],
  rootTop: Dirent[],
  opts: ScanOptions,
  ctx: WalkContext,
  choose: (discovered: string[], source: string) => string[],
): Promise<{ classNames: string[]; files: ScannedFile[] }> {
  const perUnit: Set<string>[] = [];
  for (const u of units) {
    const top = u.rel === '' ? rootTop : await readdir(u.abs, { withFileTypes: true });
    perUnit.push(new Set(await listClassDirs(u.abs, u.rel, top, ctx, units.length > 1 || u.rel !== '')));
  }
  const where = units.length === 1 ? units[0].abs : rootAbs;
  return filesByClass(units, perUnit, ctx, { where, separator: sep }, choose, async (u, name, rel) => orderFiles(await walkTree(join(u.abs, name), rel, ctx), opts.order));
}

/** The class folders directly in one unit; files lying there are left out and reported. */
async function listClassDirs(rootAbs: string, unitRel: string, top: Dirent[], ctx: WalkContext, inSplit: boolean): Promise<string[]> {
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
    const rel = unitRel ? `${unitRel}/${entry.name}` : entry.name;
    if (kind === 'dir' || kind === 'link-dir') dirs.push(entry.name);
    else if (kind === 'broken') ctx.ignored.push({ file: rel, code: 'input-not-found', reason: 'broken link: its target does not exist' });
    else {
      ctx.ignored.push({ file: rel, code: 'no-classes', reason: `lies directly in the ${inSplit ? 'split' : 'input'} folder, not in a class folder` });
      if (matchExtension(entry.name, ctx.extensions) !== null) loose.push(entry.name);
    }
  }
  if (loose.length > 0) ctx.warnings.push(looseImagesWarning(rootAbs, loose));
  return dirs;
}
