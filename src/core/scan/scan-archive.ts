/**
 * Scans a .zip, .tar or .tar.gz in place, as if it were the folder it unpacks to: the same
 * layouts (class folders, split folders, metadata files, labels none), the same order and the
 * same relative paths, so converting the archive gives the arrays converting the unpacked folder
 * gives. An archive whose visible top level is one folder has that folder as its root (how
 * datasets are zipped). Members are only listed here; their bytes are read later by the decoder
 * threads (zip, tar) or the job's sequential feed (.tar.gz, tar-gz-feed.ts).
 */
import { stat } from 'node:fs/promises';
import { Img2npyError } from '../../shared/errors.js';
import { type ArchiveMember, archiveKind, identityChange, identityOf, sameIdentity } from './archive-members.js';
import { type VDir, buildTree, leaveOutOwnOutputs, smallMemberBytes } from './archive-tree.js';
import { type PlacedTable, chooseLabelTables, labelFromTables } from './labels-file.js';
import { parseLabelTable } from './labels-table.js';
import { metadataNames, pickSplits, splitFolderOrder } from './layout.js';
import { chooseClasses, filesByClass, listed, looseImagesWarning, orderFiles, scanResult } from './scan-steps.js';
import { listTar } from './tar-members.js';
import { listTarGz, maxHeldBytes } from './tar-gz-members.js';
import { manifestSuffix } from './own-outputs.js';
import { type WalkContext, type WalkedDir, type WalkedFile, matchExtension, throwIfCancelled } from './walk.js';
import { listZip } from './zip-members.js';
import type { ArchiveIdentity, EntrySource, ListingProgress, MetaColumn, ScanLayout, ScanOptions, ScanResult, ScannedFile } from '../types.js';

interface Unit {
  dir: VDir;
  rel: string;
  split?: string;
}

/** macOS's zip tool adds resource forks under this top folder: never images, never a class. */
const macResourceFolder = '__MACOSX';

const hidden = (name: string) => name.startsWith('.');

/** What a .tar.gz listing keeps as it passes: metadata tables where the scan looks for them (root or split folder, under at most one top folder) and manifests. */
const keptByListing = (m: ArchiveMember): boolean => {
  const name = m.segments[m.segments.length - 1] ?? '';
  return ((metadataNames as readonly string[]).includes(name) && m.segments.length <= 3) || name.endsWith(manifestSuffix);
};

/**
 * Scans the archive `archiveAbs` with the options of a folder scan.
 * @example const scan = await scanArchive('/data/pets.zip', opts, ['.jpg']); scan.layout.archive // '/data/pets.zip'
 * @throws {Img2npyError} as scanFolder, plus `input-unreadable` naming the archive when it
 *   cannot be listed, is a zip or gzip bomb as a whole, is a truncated or damaged .tar.gz, or
 *   changed while it was listed. `onListing` hears the listing's progress (ListingProgress).
 */
export async function scanArchive(archiveAbs: string, opts: ScanOptions, extensions: readonly string[], signal?: AbortSignal, onListing?: ListingProgress): Promise<ScanResult> {
  const kind = archiveKind(archiveAbs);
  if (kind === null) throw new Img2npyError('input-unreadable', `Input ${archiveAbs} is not a .zip, .tar, .tar.gz or .tgz archive`, { file: archiveAbs });
  throwIfCancelled(signal);
  const identity = await archiveIdentity(archiveAbs);
  const members = await listMembers(archiveAbs, kind, identity.size, signal, onListing);
  // Same before and after: the listing read this one file, which every later read checks it still opens.
  const after = await archiveIdentity(archiveAbs);
  if (!sameIdentity(identity, after)) throw new Img2npyError('input-unreadable', `Archive ${archiveAbs} changed while it was being listed (${identityChange(identity, after)}); try again once it is complete`, { file: archiveAbs });
  for (const m of members) if (m.source) m.source.identity = identity;
  const refused: ArchiveMember[] = [];
  const tree = buildTree(members, refused);
  const ignored: ScanResult['ignored'] = [];
  const warnings: string[] = [];
  if (tree.dirs.delete(macResourceFolder)) ignored.push({ file: `${macResourceFolder}/`, code: 'input-unreadable', reason: "macOS's resource forks, added by its zip tool; not images" });
  // Before the root is chosen: an output beside the dataset's top folder must not make it two.
  leaveOutOwnOutputs(tree, archiveAbs, warnings);
  const visible = [...tree.dirs.keys(), ...tree.files.keys()].filter((n) => !hidden(n));
  const single = visible.length === 1 && tree.dirs.has(visible[0]) ? visible[0] : null;
  const root = single === null ? tree : tree.dirs.get(single)!;
  const rootAbs = single === null ? archiveAbs : `${archiveAbs}/${single}`;
  for (const m of refused) {
    const underRoot = single === null || m.segments[0] === single;
    const rel = m.segments.length && underRoot ? m.segments.slice(single === null ? 0 : 1).join('/') : m.raw;
    ignored.push({ file: rel || m.raw, code: 'input-unreadable', reason: m.problem! });
  }

  const keras = opts.order === 'keras';
  const layout: ScanLayout = { kind: 'class-folders', splits: [], labelsFile: null, archive: archiveAbs, notes: [] };
  layout.notes.push(`Reading the archive ${archiveAbs} in place (nothing is unpacked)` + (single === null ? '' : `; its only top folder ${single}/ is the input folder`));
  const found = splitFolderOrder([...root.dirs.values()].filter((d) => !hidden(d.name) && !d.files.has('x.npy')).map((d) => d.name));
  const useSplits = found.length > 0 && (opts.splitFolders ?? true) && !keras;
  if (found.length > 0 && keras && opts.labels !== 'none') warnings.push(`Folders ${found.join(', ')} are treated as classes, as Keras does; without like keras each would be its own output`);
  const splits = pickSplits(useSplits ? found : [], opts.splits, rootAbs);
  const units: Unit[] = splits.length ? splits.map((s) => ({ dir: root.dirs.get(s)!, rel: s, split: s })) : [{ dir: root, rel: '' }];
  if (splits.length) {
    layout.kind = 'split-folders';
    layout.splits = splits;
    layout.notes.push(`Split folders found in ${rootAbs}: ${splits.join(', ')} (one output each, one shared class list; --no-split-folders treats them as classes)`);
  }

  const absOf = (m: ArchiveMember) => `${archiveAbs}/${m.segments.join('/')}`;
  const tables = await labelTables(root, units, opts, keras, layout, absOf);
  const ctx: WalkContext = { extensions, keepHidden: keras, followLinks: false, signal, ignored, warnings, skipAbs: new Set(tables ? tables.map((t) => t.table.file) : []) };
  const sources = new Map<string, EntrySource>();
  const walk = (top: VDir, topRel: string) => orderFiles(walkTree(top, topRel, ctx, absOf, sources), opts.order);
  const choose = (discovered: string[], source: string) => chooseClasses(discovered, opts, rootAbs, source, warnings);

  let classNames: string[] = [];
  let files: ScannedFile[] = [];
  let metaColumns: MetaColumn[] = [];
  if (opts.labels === 'none') {
    if (!splits.length) layout.kind = 'flat';
    for (const u of units) for (const f of walk(u.dir, u.rel)) files.push({ abs: f.abs, rel: f.rel, label: null, ...(u.split !== undefined ? { split: u.split } : {}) });
  } else if (tables === null) {
    ({ classNames, files } = await scanClasses(rootAbs, units, ctx, absOf, walk, choose));
  } else {
    const walked: { file: WalkedFile; split?: string }[] = [];
    for (const u of units) for (const file of walk(u.dir, u.rel)) walked.push({ file, split: u.split });
    ({ classNames, files, metaColumns } = labelFromTables(walked, tables, rootAbs, choose, ctx));
  }
  files = files.map((f) => ({ ...f, source: sources.get(f.abs)! }));
  return scanResult(rootAbs, extensions, { classNames, files, metaColumns, layout, ignored, warnings });
}

async function archiveIdentity(archiveAbs: string): Promise<ArchiveIdentity> {
  try {
    return identityOf(await stat(archiveAbs));
  } catch (cause) {
    throw new Img2npyError('input-unreadable', `Archive ${archiveAbs} cannot be opened (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { file: archiveAbs, cause });
  }
}

/** The members, with listing progress: a .tar.gz's as it streams, a zip's or tar's (headers only, quick) at its start and end. */
async function listMembers(archiveAbs: string, kind: 'zip' | 'tar' | 'tar.gz', size: number, signal?: AbortSignal, onListing?: ListingProgress): Promise<ArchiveMember[]> {
  if (kind === 'tar.gz') return listTarGz(archiveAbs, keptByListing, signal, onListing);
  onListing?.({ archive: archiveAbs, bytesRead: 0, totalBytes: size, members: 0 });
  const members = kind === 'zip' ? await listZip(archiveAbs, signal) : await listTar(archiveAbs, signal);
  onListing?.({ archive: archiveAbs, bytesRead: size, totalBytes: size, members: members.length });
  return members;
}

/** walk.ts's walk over the archive's tree: every folder with its image files, unsorted. */
function walkTree(top: VDir, topRel: string, ctx: WalkContext, absOf: (m: ArchiveMember) => string, sources: Map<string, EntrySource>): WalkedDir[] {
  const out: WalkedDir[] = [];
  const stack: { dir: VDir; segments: string[] }[] = [{ dir: top, segments: [] }];
  while (stack.length > 0) {
    throwIfCancelled(ctx.signal);
    const { dir, segments } = stack.pop()!;
    const files: WalkedFile[] = [];
    for (const [name, m] of dir.files) {
      if (!ctx.keepHidden && hidden(name)) continue;
      const abs = absOf(m);
      if (ctx.skipAbs.has(abs)) continue;
      const rel = [...(topRel ? [topRel] : []), ...segments, name].join('/');
      const ext = matchExtension(name, ctx.extensions);
      if (ext === null) {
        ctx.ignored.push({ file: rel, code: 'unreadable-image', reason: `unsupported extension (accepted: ${ctx.extensions.join(' ')})` });
        continue;
      }
      sources.set(abs, m.source!);
      files.push({ abs, rel, name, ext });
    }
    for (const [name, sub] of dir.dirs) if (ctx.keepHidden || !hidden(name)) stack.push({ dir: sub, segments: [...segments, name] });
    out.push({ segments, files });
  }
  return out;
}

function scanClasses(
  rootAbs: string,
  units: Unit[],
  ctx: WalkContext,
  absOf: (m: ArchiveMember) => string,
  walk: (top: VDir, topRel: string) => WalkedFile[],
  choose: (discovered: string[], source: string) => string[],
): Promise<{ classNames: string[]; files: ScannedFile[] }> {
  const perUnit = units.map((u) => {
    const loose: string[] = [];
    const inSplit = units.length > 1 || u.rel !== '';
    for (const [name, m] of u.dir.files) {
      if (hidden(name) || ctx.skipAbs.has(absOf(m))) continue;
      ctx.ignored.push({ file: u.rel ? `${u.rel}/${name}` : name, code: 'no-classes', reason: `lies directly in the ${inSplit ? 'split' : 'input'} folder, not in a class folder` });
      if (matchExtension(name, ctx.extensions) !== null) loose.push(name);
    }
    const where = u.rel ? `${rootAbs}/${u.rel}` : rootAbs;
    if (loose.length > 0) ctx.warnings.push(looseImagesWarning(where, loose));
    return new Set([...u.dir.dirs.keys()].filter((n) => !hidden(n)));
  });
  const where = units.length === 1 && units[0].rel ? `${rootAbs}/${units[0].rel}` : rootAbs;
  return filesByClass(units, perUnit, ctx, { where, separator: '/' }, choose, (u, name, rel) => walk(u.dir.dirs.get(name)!, rel));
}

/** chooseLabelTables inside the archive: a metadata file in its root or a split folder, read from the archive. */
function labelTables(
  root: VDir,
  units: Unit[],
  opts: ScanOptions,
  keras: boolean,
  layout: ScanLayout,
  absOf: (m: ArchiveMember) => string,
): Promise<PlacedTable[] | null> {
  const read = (m: ArchiveMember, file: string) => {
    let text: string;
    try {
      const bytes = smallMemberBytes(m, file);
      if (bytes === null) throw new Error(`it is too large to be kept while the .tar.gz is listed (more than ${maxHeldBytes} bytes)`);
      text = bytes.toString('utf8');
    } catch (cause) {
      throw new Img2npyError('labels-invalid', `Labels file ${file} cannot be read: ${(cause as Error).message}`, { file, cause });
    }
    return parseLabelTable(text, file, /\.jsonl$/i.test(file) ? 'jsonl' : 'csv', opts.labelColumn ?? null);
  };
  return chooseLabelTables(units, opts, keras, layout, (unit) => {
    const dir = unit ? unit.dir : root;
    const present = metadataNames.map((n) => dir.files.get(n)).filter((m) => m !== undefined);
    if (present.length > 1) {
      throw new Img2npyError('labels-invalid', `Both ${present.map(absOf).join(' and ')} exist: keep one, or choose with --labels FILE`, { file: absOf(present[0]) });
    }
    if (present.length === 0) return null;
    const file = absOf(present[0]);
    return { file, read: () => read(present[0], file) };
  });
}

