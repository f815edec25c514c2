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
import { type PlacedTable, labelFromTables } from './labels-file.js';
import { readLabelTable } from './labels-table.js';
import { detectSplitFolders, findMetadata, pickSplits } from './layout.js';
import { compareCodePoints, sortedByCodePoint } from './order.js';
import { type WalkContext, type WalkedDir, type WalkedFile, matchExtension, throwIfCancelled, topEntryKind, walkTree } from './walk.js';
import type { MetaColumn, ScanLayout, ScanOptions, ScanResult, ScannedFile } from '../types.js';

/** A folder scanned as a whole dataset: the root, or one split folder of it. */
interface Unit {
  abs: string;
  /** '' for the root, else the split folder's name (also the prefix of its files' rel). */
  rel: string;
  split?: string;
}

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
    layout,
    metaColumns,
  };
}

/**
 * The labels file(s) to use, or null for folder labels: the one given, else (labels 'auto', not
 * in Keras mode) a metadata file at the root or one in every split folder.
 */
async function labelTables(rootAbs: string, units: Unit[], opts: ScanOptions, keras: boolean, layout: ScanLayout): Promise<PlacedTable[] | null> {
  const column = opts.labelColumn ?? null;
  if (opts.labels === 'none' || opts.labels === 'inferred') return null;
  if (opts.labels !== 'auto') {
    layout.labelsFile = resolve(opts.labels);
    if (layout.kind === 'class-folders') layout.kind = 'metadata-file';
    return [{ table: await readLabelTable(layout.labelsFile, column), prefix: '' }];
  }
  if (keras) return null;
  const atRoot = await findMetadata(rootAbs);
  if (atRoot) {
    layout.labelsFile = atRoot;
    if (layout.kind === 'class-folders') layout.kind = 'metadata-file';
    layout.notes.push(`Labels from ${atRoot} (found in the input folder; --labels inferred takes class folders instead)`);
    return [{ table: await readLabelTable(atRoot, column), prefix: '' }];
  }
  if (!units[0].split) return null;
  const perSplit = await Promise.all(units.map((u) => findMetadata(u.abs)));
  const have = units.filter((_, i) => perSplit[i] !== null);
  if (have.length === 0) return null;
  if (have.length < units.length) {
    const lacking = units.filter((_, i) => perSplit[i] === null).map((u) => u.rel);
    throw new Img2npyError(
      'labels-invalid',
      `Split folders ${have.map((u) => u.rel).join(', ')} hold a metadata file but ${lacking.join(', ')} ${lacking.length === 1 ? 'does' : 'do'} not: give every split one, or use --labels inferred for class folders`,
      { file: perSplit.find((p) => p !== null)! },
    );
  }
  layout.labelsFile = perSplit[0];
  layout.notes.push(`Labels from the metadata file in each split folder: ${perSplit.join(', ')}`);
  const tables: PlacedTable[] = [];
  for (const [i, u] of units.entries()) tables.push({ table: await readLabelTable(perSplit[i]!, column), prefix: u.rel });
  return tables;
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
  const discovered = sortedByCodePoint([...new Set(perUnit.flatMap((d) => [...d]))]);
  if (discovered.length === 0) {
    const where = units.length === 1 ? units[0].abs : rootAbs;
    const loose = ctx.ignored.filter((i) => i.code === 'no-classes' && matchExtension(i.file, ctx.extensions) !== null).length;
    throw new Img2npyError(
      'no-classes',
      `No class folders in ${where}: expected ${where}${sep}${units.length > 1 || units[0].rel ? `<split>${sep}` : ''}<class>${sep}<image>` + (loose ? ` (found ${loose} images directly in it; use labels none)` : ''),
      { file: where },
    );
  }
  const classNames = choose(discovered, 'class folders');
  const files: ScannedFile[] = [];
  for (const [k, u] of units.entries()) {
    for (let label = 0; label < classNames.length; label++) {
      const name = classNames[label];
      if (!perUnit[k].has(name)) continue;
      const walked = orderFiles(await walkTree(join(u.abs, name), u.rel ? `${u.rel}/${name}` : name, ctx), opts.order);
      for (const f of walked) files.push({ abs: f.abs, rel: f.rel, label, ...(u.split !== undefined ? { split: u.split } : {}) });
    }
  }
  return { classNames, files };
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
  if (loose.length > 0) {
    ctx.warnings.push(`${loose.length} image${loose.length === 1 ? '' : 's'} directly in ${rootAbs} belong to no class and are left out: ${listed(loose)} (use labels none to take every image without classes)`);
  }
  return dirs;
}
