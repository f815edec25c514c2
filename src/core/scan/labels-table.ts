/**
 * Labels files in the shapes people have: a headerless `path,label` CSV, or a table with a
 * header (CSV, TSV, or JSON Lines as Hugging Face's imagefolder `metadata.jsonl`) whose image
 * column is `file_name` (or filename, file, path, image, image_path), whose label column is
 * chosen by name, and whose other columns become arrays of their own. A header is recognised,
 * never taken for a class.
 */
import { readFile, stat } from 'node:fs/promises';
import { Img2npyError } from '../../shared/errors.js';
import { type LabelRow, invalid, normalisePath, records } from './labels-csv.js';
import type { MetaColumn, MetaValue } from '../types.js';

export interface TableRow {
  /** Normalised relative path ('/'-separated). */
  path: string;
  label: string;
  /** Values of `LabelTable.columns`, typed as written. */
  values: MetaValue[];
  /** 1-based line on which the row starts. */
  line: number;
}

export interface LabelTable {
  file: string;
  rows: TableRow[];
  /** The extra columns (not image, not label), written as arrays. */
  columns: MetaColumn[];
  /** Header names as found, or null for a headerless `path,label` file. */
  header: string[] | null;
}

const imageNames = ['file_name', 'filename', 'file', 'path', 'image', 'image_path'];
const labelNames = ['label', 'class', 'category', 'target'];
/** Arrays every output already has: an extra column of that name is written as meta_<name>. */
const reserved = new Set(['x', 'y', 'paths', 'class_names']);
const hasExtension = (s: string) => /\.[A-Za-z0-9]{1,5}$/.test(s);

type Cell = string | number | boolean | null | undefined;
interface RawRow {
  cells: Cell[];
  line: number;
}

/**
 * Parses a labels file's text. `format` follows the extension: .csv, .tsv, .jsonl.
 *
 * @example
 * parseLabelTable('file_name,label,weight\na.png,cat,0.5\n', 'metadata.csv', 'csv', null).columns;
 * // [{ column: 'weight', name: 'weight', kind: 'float64' }]
 * @throws {Img2npyError} `labels-invalid` naming the file and the line: bad syntax, a missing
 *   value, no image or label column, a conflicting duplicate; `invalid-option` (labelColumn)
 *   naming the columns when `--label-column` names none of them.
 */
export function parseLabelTable(text: string, file: string, format: 'csv' | 'tsv' | 'jsonl', labelColumn: string | null): LabelTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const { header, rows } = format === 'jsonl' ? jsonRows(body, file) : delimitedRows(body, file, format === 'tsv' ? '\t' : ',', labelColumn);
  if (rows.length === 0) throw new Img2npyError('labels-invalid', `${file} has no rows: expected lines of path,label`, { file });
  if (header === null) {
    for (const r of rows) if (r.cells.length !== 2) throw invalid(file, r.line, `expected 2 columns (path,label) but found ${r.cells.length}`);
    return { file, header, columns: [], rows: buildRows(rows, file, 0, 1, []) };
  }
  const lower = header.map((h) => h.toLowerCase());
  const exact = header.indexOf('file_name');
  const imageAt = exact >= 0 ? exact : lower.findIndex((h) => imageNames.includes(h));
  const image = imageAt >= 0 ? imageAt : header.length === 2 ? 0 : -1;
  if (image < 0) {
    throw invalid(file, 1, `no image column: name one file_name (or ${imageNames.slice(1).join(', ')}); the columns are ${header.join(', ')}`);
  }
  let label: number;
  if (labelColumn !== null) {
    label = header.indexOf(labelColumn);
    if (label < 0) label = lower.indexOf(labelColumn.toLowerCase());
    if (label < 0 || label === image) {
      throw new Img2npyError('invalid-option', `Expected a column of ${file} for labelColumn (--label-column) but received ${JSON.stringify(labelColumn)}; the columns are ${header.join(', ')}`, { option: 'labelColumn', file });
    }
  } else {
    label = lower.findIndex((h, i) => i !== image && labelNames.includes(h));
    if (label < 0 && header.length === 2) label = 1 - image;
    if (label < 0) {
      throw invalid(file, 1, `no label column: name one label (or ${labelNames.slice(1).join(', ')}), or choose one with --label-column; the columns are ${header.join(', ')}`);
    }
  }
  const extra = header.map((_, i) => i).filter((i) => i !== image && i !== label);
  const built = buildRows(rows, file, image, label, extra.map((i) => header[i]));
  const columns = extra.map((i, k) => typeColumn(header[i], built, k));
  return { file, header, columns, rows: built };
}

/** Reads a labels file (UTF-8); the format follows its extension. */
export async function readLabelTable(file: string, labelColumn: string | null): Promise<LabelTable> {
  // Opening a FIFO blocks until a writer comes, in a thread no signal can interrupt: refuse
  // anything but a regular file (or a folder, named below) before reading.
  const special = await stat(file).then((s) => (s.isFile() || s.isDirectory() ? null : s.isFIFO() ? 'a pipe (FIFO)' : 'not a regular file'), () => null);
  if (special) throw new Img2npyError('labels-invalid', `Labels file ${file} is ${special}; give a regular file`, { file });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? String(cause)})`;
    throw new Img2npyError('labels-invalid', `Labels file ${file} ${why}`, { file, cause });
  }
  const format = /\.jsonl$/i.test(file) ? 'jsonl' : /\.tsv$/i.test(file) ? 'tsv' : 'csv';
  return parseLabelTable(text, file, format, labelColumn);
}

function delimitedRows(body: string, file: string, sep: string, labelColumn: string | null): { header: string[] | null; rows: RawRow[] } {
  const recs = records(body, file, sep)
    .map((rec) => ({ line: rec.line, quoted: rec.quoted, cells: rec.fields.map((f, k) => (rec.quoted[k] ? f : f.trim())) }))
    .filter((r) => !(r.cells.length === 1 && r.cells[0] === '' && !r.quoted[0]));
  if (recs.length === 0) return { header: null, rows: [] };
  const [first, second] = recs;
  const names = first.cells.map((c) => c.toLowerCase());
  const plain = first.quoted.every((q) => !q);
  // A header names a known column, or is a row of names without file extensions above rows of
  // paths with them: `filename,class` must never become a class named "class".
  const isHeader =
    plain &&
    (names.some((n) => imageNames.includes(n)) ||
      (labelColumn !== null && first.cells.includes(labelColumn)) ||
      (second !== undefined && !first.cells.some(hasExtension) && second.cells.some(hasExtension)));
  if (!isHeader) return { header: null, rows: recs };
  const width = first.cells.length;
  for (const r of recs.slice(1)) {
    if (r.cells.length !== width) throw invalid(file, r.line, `expected ${width} columns (${first.cells.join(',')}) but found ${r.cells.length}`);
  }
  return { header: first.cells, rows: recs.slice(1) };
}

function jsonRows(body: string, file: string): { header: string[]; rows: RawRow[] } {
  const keys: string[] = [];
  const objects: { obj: Record<string, unknown>; line: number }[] = [];
  body.split(/\r?\n/).forEach((text, i) => {
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw invalid(file, i + 1, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw invalid(file, i + 1, 'expected one JSON object per line');
    for (const k of Object.keys(obj)) if (!keys.includes(k)) keys.push(k);
    objects.push({ obj: obj as Record<string, unknown>, line: i + 1 });
  });
  const rows = objects.map(({ obj, line }) => ({
    line,
    cells: keys.map((k) => {
      const v = obj[k];
      if (v === undefined || v === null) return v;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return JSON.stringify(v);
    }),
  }));
  return { header: keys, rows };
}

function buildRows(raw: RawRow[], file: string, image: number, label: number, extraNames: string[]): TableRow[] {
  const seen = new Map<string, TableRow>();
  const out: TableRow[] = [];
  const extra = raw.length ? raw[0].cells.map((_, i) => i).filter((i) => i !== image && i !== label) : [];
  for (const r of raw) {
    const rawPath = r.cells[image];
    const rawLabel = r.cells[label];
    if (rawPath === '' || rawPath === null || rawPath === undefined) throw invalid(file, r.line, 'the path is empty');
    if (typeof rawPath !== 'string') throw invalid(file, r.line, `the path ${JSON.stringify(rawPath)} is not text`);
    if (rawLabel === '' || rawLabel === null || rawLabel === undefined) throw invalid(file, r.line, `the label of ${JSON.stringify(rawPath)} is empty`);
    const values = extra.map((i, k) => {
      const v = r.cells[i];
      if (v === '' || v === null || v === undefined) throw invalid(file, r.line, `no value for column ${extraNames[k]} of ${JSON.stringify(rawPath)} (every row needs one)`);
      return typeof v === 'boolean' ? String(v) : v;
    });
    const path = normalisePath(rawPath, file, r.line);
    const row: TableRow = { path, label: String(rawLabel), values, line: r.line };
    const before = seen.get(path);
    if (before) {
      if (before.label !== row.label) {
        throw invalid(file, r.line, `${JSON.stringify(path)} is labelled ${JSON.stringify(row.label)} here but ${JSON.stringify(before.label)} on line ${before.line}`);
      }
      continue;
    }
    seen.set(path, row);
    out.push(row);
  }
  return out;
}

/**
 * Chooses an extra column's array type (whole numbers int64, other numbers float64, else text)
 * and converts its values in place.
 */
function typeColumn(column: string, rows: TableRow[], k: number): MetaColumn {
  const values = rows.map((r) => r.values[k]);
  const isInt = (v: MetaValue) => (typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && /^[-+]?\d{1,18}$/.test(v));
  const isNum = (v: MetaValue) => typeof v === 'number' || (typeof v === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v));
  const kind: MetaColumn['kind'] = values.every(isInt) ? 'int64' : values.every(isNum) ? 'float64' : 'text';
  for (const r of rows) {
    const v = r.values[k];
    r.values[k] = kind === 'int64' ? BigInt(typeof v === 'number' ? v : String(v).replace(/^\+/, '')) : kind === 'float64' ? Number(v) : String(v);
  }
  const safe = column.replace(/[^A-Za-z0-9_.-]/g, '_');
  return { column, name: reserved.has(safe) ? `meta_${safe}` : safe, kind };
}

/**
 * Parses a labels CSV into path/label rows (headerless `path,label`, or with a header whose
 * image and label columns are recognised by name). Unquoted fields are trimmed; quoted fields
 * are kept exactly; blank lines are skipped; a path listed twice with the same label is kept
 * once, with two labels it is an error.
 *
 * @example
 * parseLabelsCsv('filename,class\ncat/1.jpg,cat\n', 'labels.csv'); // [{ path: 'cat/1.jpg', label: 'cat', line: 2 }]
 * @throws {Img2npyError} `labels-invalid` naming `file` and the line.
 */
export function parseLabelsCsv(text: string, file: string): LabelRow[] {
  return parseLabelTable(text, file, 'csv', null).rows.map(({ path, label, line }) => ({ path, label, line }));
}

/**
 * Reads and parses a labels CSV (UTF-8).
 * @example const rows = await readLabelsCsv('/data/labels.csv');
 * @throws {Img2npyError} `labels-invalid` when the file cannot be read or parsed.
 */
export async function readLabelsCsv(file: string): Promise<LabelRow[]> {
  return (await readLabelTable(file, null)).rows.map(({ path, label, line }) => ({ path, label, line }));
}
