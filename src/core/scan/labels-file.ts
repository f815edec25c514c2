/**
 * Labels from a labels file: matches the walked images with the file's rows, resolves the class
 * order, and carries the extra columns' values along with each image.
 */
import { Img2npyError } from '../../shared/errors.js';
import { sortLabelNames } from './labels-csv.js';
import { resolve } from 'node:path';
import { type LabelTable, type TableRow, readLabelTable } from './labels-table.js';
import { listed } from './scan-steps.js';
import type { WalkContext, WalkedFile } from './walk.js';
import type { MetaColumn, ScanLayout, ScanOptions, ScannedFile } from '../types.js';

/** One table and the folder its paths are relative to ('' = the root, else a split folder). */
export interface PlacedTable {
  table: LabelTable;
  prefix: string;
}

/** A metadata file found in a folder (or an archive's folder): its path, and how to read it. */
export interface FoundTable {
  file: string;
  read(): LabelTable | Promise<LabelTable>;
}

/**
 * The labels file(s) to use, or null for folder labels: the one `--labels` names, else (labels
 * 'auto', not in Keras mode) a metadata file at the root, else one in every split folder.
 * `find(null)` looks at the root, `find(unit)` in a split folder; the layout is updated to say
 * where the labels come from. Folder and archive scans differ only in `find`.
 * @throws {Img2npyError} `labels-invalid` when only some split folders hold a metadata file.
 */
export async function chooseLabelTables<U extends { rel: string; split?: string }>(
  units: U[],
  opts: ScanOptions,
  keras: boolean,
  layout: ScanLayout,
  find: (unit: U | null) => FoundTable | null | Promise<FoundTable | null>,
): Promise<PlacedTable[] | null> {
  if (opts.labels === 'none' || opts.labels === 'inferred') return null;
  if (opts.labels !== 'auto') {
    layout.labelsFile = resolve(opts.labels);
    if (layout.kind === 'class-folders') layout.kind = 'metadata-file';
    return [{ table: await readLabelTable(layout.labelsFile, opts.labelColumn ?? null), prefix: '' }];
  }
  if (keras) return null;
  const atRoot = await find(null);
  if (atRoot) {
    layout.labelsFile = atRoot.file;
    if (layout.kind === 'class-folders') layout.kind = 'metadata-file';
    layout.notes.push(`Labels from ${atRoot.file} (found in the input folder; --labels inferred takes class folders instead)`);
    return [{ table: await atRoot.read(), prefix: '' }];
  }
  if (!units[0].split) return null;
  const perSplit: (FoundTable | null)[] = [];
  for (const u of units) perSplit.push(await find(u));
  const have = units.filter((_, i) => perSplit[i] !== null);
  if (have.length === 0) return null;
  if (have.length < units.length) {
    const lacking = units.filter((_, i) => perSplit[i] === null).map((u) => u.rel);
    throw new Img2npyError(
      'labels-invalid',
      `Split folders ${have.map((u) => u.rel).join(', ')} hold a metadata file but ${lacking.join(', ')} ${lacking.length === 1 ? 'does' : 'do'} not: give every split one, or use --labels inferred for class folders`,
      { file: perSplit.find((p) => p !== null)!.file },
    );
  }
  const found = perSplit as FoundTable[];
  layout.labelsFile = found[0].file;
  layout.notes.push(`Labels from the metadata file in each split folder: ${found.map((f) => f.file).join(', ')}`);
  const tables: PlacedTable[] = [];
  for (const [i, u] of units.entries()) tables.push({ table: await found[i].read(), prefix: u.rel });
  return tables;
}

/**
 * Labels `walked` (each tagged with its split, if any) from the tables. Paths in a table are
 * relative to the folder that holds it.
 * @throws {Img2npyError} `labels-invalid` when no row names a found image, or when tables of
 *   different splits disagree on their extra columns.
 */
export function labelFromTables(
  walked: { file: WalkedFile; split?: string }[],
  tables: PlacedTable[],
  rootAbs: string,
  chooseClasses: (discovered: string[], source: string) => string[],
  ctx: WalkContext,
): { classNames: string[]; files: ScannedFile[]; metaColumns: MetaColumn[] } {
  const metaColumns = tables[0].table.columns;
  for (const { table } of tables.slice(1)) {
    const same = table.columns.length === metaColumns.length && table.columns.every((c, i) => c.name === metaColumns[i].name && c.kind === metaColumns[i].kind);
    if (!same) {
      throw new Img2npyError('labels-invalid', `${table.file} has other columns than ${tables[0].table.file} (${table.columns.map((c) => `${c.column}:${c.kind}`).join(', ')} vs ${metaColumns.map((c) => `${c.column}:${c.kind}`).join(', ')}); every split's labels file needs the same columns`, { file: table.file });
    }
  }
  const byPath = new Map<string, { row: TableRow; file: string }>();
  for (const { table, prefix } of tables) for (const row of table.rows) byPath.set(prefix ? `${prefix}/${row.path}` : row.path, { row, file: table.file });
  const source = tables.length === 1 ? `labels in ${tables[0].table.file}` : `labels in ${tables.length} metadata files`;
  const classNames = chooseClasses(sortLabelNames([...byPath.values()].map((r) => r.row.label)), source);
  const index = new Map(classNames.map((c, i) => [c, i]));
  const files: ScannedFile[] = [];
  const used = new Set<string>();
  for (const { file: f, split } of walked) {
    const hit = byPath.get(f.rel);
    if (!hit) {
      ctx.ignored.push({ file: f.rel, code: 'labels-invalid', reason: `not listed in ${tables.map((t) => t.table.file).join(' or ')}` });
      continue;
    }
    used.add(f.rel);
    const label = index.get(hit.row.label);
    if (label === undefined) {
      ctx.ignored.push({ file: f.rel, code: 'invalid-option', reason: `its label ${JSON.stringify(hit.row.label)} is not in classNames` });
      continue;
    }
    files.push({ abs: f.abs, rel: f.rel, label, ...(split !== undefined ? { split } : {}), ...(metaColumns.length ? { meta: hit.row.values } : {}) });
  }
  if (used.size === 0) {
    const first = tables[0].table;
    throw new Img2npyError(
      'labels-invalid',
      `None of the ${byPath.size} paths in ${first.file} names an image found under ${rootAbs} (line ${first.rows[0].line}: ${first.rows[0].path}); paths must be relative to the input folder (to its split folder for a metadata file inside one)`,
      { file: first.file },
    );
  }
  const missing = [...byPath.entries()].filter(([p]) => !used.has(p));
  if (missing.length > 0) {
    ctx.warnings.push(`${missing.length} row${missing.length === 1 ? '' : 's'} of the labels file name no image found under ${rootAbs}: ${listed(missing.map(([p, r]) => `${r.file} line ${r.row.line}: ${p}`))}`);
  }
  return { classNames, files, metaColumns };
}
