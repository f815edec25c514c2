/**
 * Labels from a labels file: matches the walked images with the file's rows, resolves the class
 * order, and carries the extra columns' values along with each image.
 */
import { Img2npyError } from '../../shared/errors.js';
import { sortLabelNames } from './labels-csv.js';
import type { LabelTable, TableRow } from './labels-table.js';
import type { WalkContext, WalkedFile } from './walk.js';
import type { MetaColumn, ScannedFile } from '../types.js';

const listed = (names: string[], max = 5): string =>
  names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/** One table and the folder its paths are relative to ('' = the root, else a split folder). */
export interface PlacedTable {
  table: LabelTable;
  prefix: string;
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
