/**
 * The steps a scan takes whatever holds the files (a folder on disk, or an archive): output
 * order, the class order, and the totals of the result.
 */
import { sep } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { compareCodePoints, sortedByCodePoint } from './order.js';
import { type WalkedDir, type WalkedFile, matchExtension } from './walk.js';
import type { MetaColumn, ScanLayout, ScanOptions, ScanResult, ScannedFile } from '../types.js';

export const listed = (names: string[], max = 5): string =>
  names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/**
 * Puts walked files in output order. 'keras' is `iter_valid_files`: folders in the order of
 * their full path string (Python sorts the `os.walk` tuples by `root`, whose separator is the
 * platform's), then files by name inside each folder; so a folder's own files come before its
 * sub-folders' and 'a' < 'a b' < 'a/x'. 'default' sorts by the '/'-joined relative path.
 */
export function orderFiles(dirs: WalkedDir[], order: ScanOptions['order']): WalkedFile[] {
  if (order === 'keras') {
    const keyed = dirs.map((d) => ({ key: d.segments.join(sep), files: d.files }));
    keyed.sort((a, b) => compareCodePoints(a.key, b.key));
    return keyed.flatMap((d) => d.files.slice().sort((a, b) => compareCodePoints(a.name, b.name)));
  }
  return dirs.flatMap((d) => d.files).sort((a, b) => compareCodePoints(a.rel, b.rel));
}

/**
 * Resolves the class order: the explicit `classNames` (Keras 3 accepts any subset of the
 * discovered classes, in the given order, and leaves the others out), else sorted discovery.
 */
export function chooseClasses(discovered: string[], opts: ScanOptions, root: string, source: string, warnings: string[]): string[] {
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

/** The warning for images lying beside the class folders (in the root or a split folder). */
export function looseImagesWarning(where: string, loose: string[]): string {
  return `${loose.length} image${loose.length === 1 ? '' : 's'} directly in ${where} belong to no class and are left out: ${listed(loose)} (use labels none to take every image without classes)`;
}

/**
 * One class list from the class folders each unit holds (the root, or every split folder; the
 * union, sorted, then `choose`), and the files unit by unit, class by class in that order.
 * `where` names the folder in the error, `separator` joins its expected layout.
 * @throws {Img2npyError} `no-classes` when no unit holds a class folder, counting the images
 *   found lying beside them.
 */
export async function filesByClass<U extends { rel: string; split?: string }>(
  units: U[],
  classDirs: Set<string>[],
  ctx: { ignored: ScanResult['ignored']; extensions: readonly string[] },
  { where, separator }: { where: string; separator: string },
  choose: (discovered: string[], source: string) => string[],
  walkClass: (unit: U, name: string, rel: string) => WalkedFile[] | Promise<WalkedFile[]>,
): Promise<{ classNames: string[]; files: ScannedFile[] }> {
  const discovered = sortedByCodePoint(new Set(classDirs.flatMap((d) => [...d])));
  if (discovered.length === 0) {
    const loose = ctx.ignored.filter((i) => i.code === 'no-classes' && matchExtension(i.file, ctx.extensions) !== null).length;
    const split = units.length > 1 || units[0].rel ? `<split>${separator}` : '';
    throw new Img2npyError(
      'no-classes',
      `No class folders in ${where}: expected ${where}${separator}${split}<class>${separator}<image>` + (loose ? ` (found ${loose} images directly in it; use labels none)` : ''),
      { file: where },
    );
  }
  const classNames = choose(discovered, 'class folders');
  const files: ScannedFile[] = [];
  for (const [k, u] of units.entries()) {
    for (let label = 0; label < classNames.length; label++) {
      const name = classNames[label];
      if (!classDirs[k].has(name)) continue;
      for (const f of await walkClass(u, name, u.rel ? `${u.rel}/${name}` : name)) {
        const file: ScannedFile = { abs: f.abs, rel: f.rel, label };
        if (u.split !== undefined) file.split = u.split;
        files.push(file);
      }
    }
  }
  return { classNames, files };
}

/**
 * The scan's result from what it found: counts per class, formats, empty classes.
 * @throws {Img2npyError} `no-images` when nothing was found.
 */
export function scanResult(
  rootAbs: string,
  extensions: readonly string[],
  found: { classNames: string[]; files: ScannedFile[]; metaColumns: MetaColumn[]; layout: ScanLayout; ignored: ScanResult['ignored']; warnings: string[] },
): ScanResult {
  const { classNames, files, ignored, warnings } = found;
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
    layout: found.layout,
    metaColumns: found.metaColumns,
  };
}
