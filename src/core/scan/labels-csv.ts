/**
 * The pieces of labels files: RFC 4180 records, relative paths, label order. Paths are relative
 * to the input folder with '/' separators. Every problem names the file and the line, since
 * users edit these by hand. `labels-table.ts` builds the tables from these.
 */
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

export interface RawRecord {
  fields: string[];
  quoted: boolean[];
  line: number;
}

export function invalid(file: string, line: number, what: string): Img2npyError {
  return new Img2npyError('labels-invalid', `${file} line ${line}: ${what}`, { file });
}

/** Splits CSV (or, with `sep` '\t', TSV) text into records, keeping for each the line it starts on. */
export function records(text: string, file: string, sep = ','): RawRecord[] {
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
        if (i < len && next !== sep && next !== '\n' && next !== '\r') {
          throw invalid(file, line, `unexpected ${JSON.stringify(next)} after a closing quote (write "" for a quote inside a quoted field)`);
        }
      } else {
        const start = i;
        while (i < len && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw invalid(file, line, 'a quote inside an unquoted field (quote the whole field and write "" for the quote)');
          i++;
        }
        field = text.slice(start, i);
      }
      rec.fields.push(field);
      rec.quoted.push(quoted);
      if (text[i] === sep) {
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
export function normalisePath(raw: string, file: string, line: number): string {
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw)) throw invalid(file, line, `path ${JSON.stringify(raw)} must be relative to the input folder`);
  const norm = posix.normalize(raw);
  if (norm === '..' || norm.startsWith('../')) throw invalid(file, line, `path ${JSON.stringify(raw)} points outside the input folder`);
  if (norm === '.' || norm.endsWith('/')) throw invalid(file, line, `path ${JSON.stringify(raw)} names a folder, not a file`);
  return norm;
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
