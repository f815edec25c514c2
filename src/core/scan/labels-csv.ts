/**
 * The labels file: CSV (RFC 4180) with two columns, `path,label`, one row per image. Paths are
 * relative to the input folder with '/' separators; an optional first row `path,label` is a
 * header. Every problem names the file and the line, since users edit these by hand.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { compareCodePoints } from './order.js';

export interface LabelRow {
  /** Normalised relative path ('/'-separated, no leading './'). */
  path: string;
  label: string;
  /** 1-based line on which the row starts (quoted fields may span lines). */
  line: number;
}

interface RawRecord {
  fields: string[];
  quoted: boolean[];
  line: number;
}

function invalid(file: string, line: number, what: string): Img2npyError {
  return new Img2npyError('labels-invalid', `${file} line ${line}: ${what}`, { file });
}

/** Splits CSV text into records, keeping for each the line it starts on. */
function records(text: string, file: string): RawRecord[] {
  const out: RawRecord[] = [];
  let line = 1;
  let i = 0;
  const len = text.length;
  while (i < len) {
    const rec: RawRecord = { fields: [], quoted: [], line };
    for (;;) {
      let field = '';
      let quoted = false;
      if (text[i] === '"') {
        quoted = true;
        const openedOn = line;
        i++;
        for (;;) {
          if (i >= len) throw invalid(file, openedOn, 'a quoted field is never closed');
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        const next = text[i];
        if (i < len && next !== ',' && next !== '\n' && next !== '\r') {
          throw invalid(file, line, `unexpected ${JSON.stringify(next)} after a closing quote (write "" for a quote inside a quoted field)`);
        }
      } else {
        const start = i;
        while (i < len && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw invalid(file, line, 'a quote inside an unquoted field (quote the whole field and write "" for the quote)');
          i++;
        }
        field = text.slice(start, i);
      }
      rec.fields.push(field);
      rec.quoted.push(quoted);
      if (text[i] === ',') {
        i++;
        continue;
      }
      // End of record: CRLF, LF, lone CR, or end of text.
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    out.push(rec);
  }
  return out;
}

/** Folds './a//b' to 'a/b'; refuses paths that leave the input folder. */
function normalisePath(raw: string, file: string, line: number): string {
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw)) throw invalid(file, line, `path ${JSON.stringify(raw)} must be relative to the input folder`);
  const norm = posix.normalize(raw);
  if (norm === '..' || norm.startsWith('../')) throw invalid(file, line, `path ${JSON.stringify(raw)} points outside the input folder`);
  if (norm === '.' || norm.endsWith('/')) throw invalid(file, line, `path ${JSON.stringify(raw)} names a folder, not a file`);
  return norm;
}

/**
 * Parses the text of a labels CSV. Unquoted fields are trimmed (so `a.jpg, cat` works); quoted
 * fields are kept exactly. Blank lines are skipped. A path listed twice with the same label is
 * accepted; with two different labels it is an error.
 *
 * @example
 * parseLabelsCsv('path,label\ncat/1.jpg,cat\n"dog, big/2.jpg",dog\n', 'labels.csv');
 * @throws {Img2npyError} `labels-invalid` naming `file` and the line: wrong column count, empty
 *   path or label, bad quoting, absolute or escaping path, conflicting duplicate, no rows.
 */
export function parseLabelsCsv(text: string, file: string): LabelRow[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: LabelRow[] = [];
  const seen = new Map<string, LabelRow>();
  let first = true;
  for (const rec of records(body, file)) {
    const fields = rec.fields.map((f, k) => (rec.quoted[k] ? f : f.trim()));
    if (fields.length === 1 && fields[0] === '' && !rec.quoted[0]) continue;
    const isHeader = first && fields.length === 2 && !rec.quoted[0] && fields[0].toLowerCase() === 'path' && fields[1].toLowerCase() === 'label';
    first = false;
    if (isHeader) continue;
    if (fields.length !== 2) throw invalid(file, rec.line, `expected 2 columns (path,label) but found ${fields.length}`);
    const [rawPath, label] = fields;
    if (rawPath === '') throw invalid(file, rec.line, 'the path is empty');
    if (label === '') throw invalid(file, rec.line, `the label of ${JSON.stringify(rawPath)} is empty`);
    const path = normalisePath(rawPath, file, rec.line);
    const before = seen.get(path);
    if (before) {
      if (before.label !== label) {
        throw invalid(file, rec.line, `${JSON.stringify(path)} is labelled ${JSON.stringify(label)} here but ${JSON.stringify(before.label)} on line ${before.line}`);
      }
      continue;
    }
    const row = { path, label, line: rec.line };
    seen.set(path, row);
    rows.push(row);
  }
  if (rows.length === 0) throw new Img2npyError('labels-invalid', `${file} has no rows: expected lines of path,label`, { file });
  return rows;
}

/**
 * Reads and parses a labels CSV (UTF-8).
 *
 * @example
 * const rows = await readLabelsCsv('/data/labels.csv');
 * @throws {Img2npyError} `labels-invalid` when the file cannot be read or parsed.
 */
export async function readLabelsCsv(file: string): Promise<LabelRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? String(cause)})`;
    throw new Img2npyError('labels-invalid', `Labels file ${file} ${why}`, { file, cause });
  }
  return parseLabelsCsv(text, file);
}

/**
 * Class order for CSV labels: Keras sorts its label values (`sorted(set(labels))`), which for
 * integer labels is numeric order, so labels that are all digits sort as numbers ('2' before
 * '10'); otherwise by Unicode code point, like Python's `sorted`.
 *
 * @example
 * sortLabelNames(['10', '2', '1']); // ['1', '2', '10']
 * sortLabelNames(['dog', 'Cat', 'cat']); // ['Cat', 'cat', 'dog']
 */
export function sortLabelNames(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)];
  if (unique.every((l) => /^\d+$/.test(l))) {
    return unique.sort((a, b) => {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : compareCodePoints(a, b);
    });
  }
  return unique.sort(compareCodePoints);
}
