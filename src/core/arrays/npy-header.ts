/**
 * The .npy header: built byte-for-byte as NumPy 1.24's `np.save` writes it, and parsed back
 * with the same rules `np.load` applies (plus the refusals img2npy needs: no big-endian data,
 * no pickled objects, no structured records).
 *
 * Layout: magic `\x93NUMPY`, version (major, minor), header length (u16 for 1.0, u32 for 2.0
 * and 3.0), then a Python dict literal padded with spaces and a final '\n' so the data starts
 * on a 64-byte boundary. NumPy ≥ 1.23 also reserves room for the growth axis to reach 21 digits
 * (GROWTH_AXIS_MAX_DIGITS), which is what lets a streaming writer patch N in place: the header
 * of a C-order array has the same length for every shape[0] up to 21 digits.
 */
import { Img2npyError } from '../../shared/errors.js';

export const npyKinds = ['uint8', 'int32', 'float32', 'float16', 'int64', 'float64'] as const;
export type NpyKind = (typeof npyKinds)[number];
/** Friendly dtype names for the descrs img2npy reads and writes. */
export type FriendlyDtype = NpyKind | 'str';

export interface NpyHeader {
  version: [major: number, minor: number];
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first array element in the file (a multiple of 64 for NumPy's files). */
  dataOffset: number;
}

const magic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
const align = 64;
const growthDigits = 21;
/** np.load refuses longer dicts without allow_pickle; anything past this is not a header. */
const maxHeaderText = 1 << 20;
// int64 and float64: the metadata columns (whole numbers, other numbers) beside x.
const kindDescr: Record<NpyKind, string> = { uint8: '|u1', int32: '<i4', float32: '<f4', float16: '<f2', int64: '<i8', float64: '<f8' };
/** Byte-order char, type char, item size ('|O' has none); the tail covers datetime units like '[ns]'. */
const simpleDescr = /^([<>|=])([a-zA-Z])(\d*)(\[\w+\])?$/;

/**
 * The NumPy descr for one of img2npy's dtypes, or for a fixed-width unicode string.
 * @example npyDescr('float32') // '<f4'
 * @example npyDescr({ unicode: 12 }) // '<U12'
 * @throws {Img2npyError} internal when the unicode width is not a positive integer.
 */
export function npyDescr(kind: NpyKind | { unicode: number }): string {
  if (typeof kind === 'string') return kindDescr[kind];
  if (!Number.isSafeInteger(kind.unicode) || kind.unicode < 1) {
    throw new Img2npyError('internal', `Expected a positive integer unicode width but received ${kind.unicode}`);
  }
  return `<U${kind.unicode}`;
}

/** The friendly name of a descr img2npy understands, or null for any other descr. */
export function friendlyDtype(descr: string): FriendlyDtype | null {
  for (const kind of npyKinds) if (kindDescr[kind] === descr) return kind;
  return /^<U[1-9]\d*$/.test(descr) ? 'str' : null;
}

/**
 * Bytes per element of a simple descr (unicode is UTF-32: four bytes per code point).
 * @example itemBytes('<U5') // 20
 * @throws {Img2npyError} internal when `descr` is not a simple type string.
 */
export function itemBytes(descr: string): number {
  const m = simpleDescr.exec(descr);
  if (!m || m[3] === '' || m[2] === 'O') {
    throw new Img2npyError('internal', `Expected a simple NumPy descr such as '<f4' but received ${JSON.stringify(descr)}`);
  }
  return m[2] === 'U' ? 4 * Number(m[3]) : Number(m[3]);
}

/**
 * The exact header `np.save` (NumPy 1.24) writes for an array of this descr and shape,
 * including the spare spaces for the growth axis; version 2.0 only when the dict would not fit
 * a 1.0 header, as NumPy decides.
 * @example buildNpyHeader('<f4', [3, 4]).length // 128
 * @throws {Img2npyError} internal for a descr that is not a simple type or a bad shape.
 */
export function buildNpyHeader(descr: string, shape: readonly number[], fortranOrder = false): Buffer {
  itemBytes(descr);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Img2npyError('internal', `Expected non-negative integer dimensions but received shape [${shape.join(', ')}]`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  if (shape.length > 0) {
    const growth = shape[fortranOrder ? shape.length - 1 : 0];
    dict += ' '.repeat(Math.max(0, growthDigits - String(growth).length));
  }
  // NumPy pads to the next boundary even when already aligned, so there is always one space.
  const textLength = (prefix: number) => {
    const hlen = dict.length + 1;
    return hlen + (align - ((prefix + hlen) % align));
  };
  let version = 1;
  let total = textLength(10);
  if (total > 0xffff) {
    version = 2;
    total = textLength(12);
  }
  const prefix = version === 1 ? 10 : 12;
  const out = Buffer.alloc(prefix + total, 0x20);
  magic.copy(out, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) out.writeUInt16LE(total, 8);
  else out.writeUInt32LE(total, 8);
  out.write(dict, prefix, 'latin1');
  out[out.length - 1] = 0x0a;
  return out;
}

/**
 * Bytes the whole header takes (magic to the end of the dict), read from the first 12 bytes,
 * so a reader knows how much to fetch before calling `parseNpyHeader`.
 * @example npyHeaderLength(firstBytes, 'x.npy') // 128
 * @throws {Img2npyError} not-an-array-file for a bad magic, unknown version or short prefix.
 */
export function npyHeaderLength(prefix: Uint8Array, file = 'array file'): number {
  const buf = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (buf.length < magic.length || !buf.subarray(0, magic.length).equals(magic)) {
    throw bad(file, buf.length < magic.length && magic.subarray(0, buf.length).equals(buf) ? 'truncated before the end of the magic string' : 'it does not start with the .npy magic string \\x93NUMPY');
  }
  if (buf.length < 8) throw bad(file, 'truncated inside the header');
  const major = buf[6];
  if (buf[7] !== 0 || (major !== 1 && major !== 2 && major !== 3)) {
    throw bad(file, `unsupported .npy format version ${major}.${buf[7]} (1.0, 2.0 and 3.0 are known)`);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lengthBytes) throw bad(file, 'truncated inside the header');
  const textLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  if (textLength > maxHeaderText) throw bad(file, `header of ${textLength} bytes is too large to be a NumPy header`);
  return 8 + lengthBytes + textLength;
}

/**
 * Reads a .npy header from the start of a file. `buf` must hold at least `npyHeaderLength`
 * bytes; more is fine.
 * @example parseNpyHeader(await readFile('x.npy')).shape // [100, 32, 32, 3]
 * @throws {Img2npyError} not-an-array-file naming `file` for a bad magic, a truncated or
 *   malformed header, big-endian data, object (pickled) or structured dtypes.
 */
export function parseNpyHeader(buf: Uint8Array, file = 'array file'): NpyHeader {
  const total = npyHeaderLength(buf, file);
  if (buf.length < total) throw bad(file, `truncated inside the header (${buf.length} of ${total} bytes)`);
  const major = buf[6];
  const start = major === 1 ? 10 : 12;
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, total - start).toString(major === 3 ? 'utf8' : 'latin1');
  let dict: Map<string, PyValue>;
  try {
    const value = new PyLiteral(text).document();
    if (!(value instanceof Map)) throw new SyntaxError('the header is not a dictionary');
    dict = value;
  } catch (err) {
    throw bad(file, `malformed header (${(err as Error).message})`);
  }
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') throw bad(file, `header keys are ${keys || 'missing'} instead of descr, fortran_order, shape`);
  const shape = dict.get('shape');
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw bad(file, 'the shape is not a tuple of non-negative integers');
  }
  const fortranOrder = dict.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') throw bad(file, 'fortran_order is not True or False');
  return { version: [major, 0], descr: checkDescr(dict.get('descr'), file), fortranOrder, shape: shape.items as number[], dataOffset: total };
}

function checkDescr(descr: PyValue | undefined, file: string): string {
  if (typeof descr !== 'string') throw bad(file, 'structured (record) arrays are not supported');
  const m = simpleDescr.exec(descr);
  if (!m) throw bad(file, `unrecognised descr ${JSON.stringify(descr)}`);
  const [, order, type, size] = m;
  if (type === 'O') throw bad(file, 'object arrays hold pickled Python objects, which are not supported');
  if (order === '>' && (type === 'U' || Number(size) > 1)) throw bad(file, `big-endian arrays are not supported (descr ${descr})`);
  return descr;
}

function bad(file: string, problem: string): Img2npyError {
  return new Img2npyError('not-an-array-file', `${file} is not a readable NumPy array: ${problem}`, { file });
}

class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

/**
 * A parser for the Python literals a .npy header can hold, so a hostile header is data, never
 * code. Accepts Python 2's `3L` integers as NumPy's reader does.
 */
class PyLiteral {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): PyValue {
    const v = this.value();
    this.space();
    if (this.i !== this.s.length) throw new SyntaxError(`unexpected ${JSON.stringify(this.s[this.i])} after the dictionary`);
    return v;
  }

  private space(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
  }

  private value(): PyValue {
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.sequence(c);
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|[-+]?\d+L?)/.exec(this.s.slice(this.i, this.i + 40));
    if (!word) throw new SyntaxError(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    this.i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  }

  /** Reads items up to `close`; says whether the last one had a trailing comma. */
  private items(close: string, item: () => void): boolean {
    this.i++;
    let trailingComma = false;
    for (;;) {
      this.space();
      if (this.s[this.i] === close) break;
      item();
      this.space();
      trailingComma = this.s[this.i] === ',';
      if (trailingComma) this.i++;
      else if (this.s[this.i] !== close) throw new SyntaxError(`expected ',' or '${close}'`);
    }
    this.i++;
    return trailingComma;
  }

  private dict(): Map<string, PyValue> {
    const out = new Map<string, PyValue>();
    this.items('}', () => {
      const key = this.value();
      if (typeof key !== 'string') throw new SyntaxError('a dictionary key is not a string');
      this.space();
      if (this.s[this.i++] !== ':') throw new SyntaxError("expected ':'");
      out.set(key, this.value());
    });
    return out;
  }

  private sequence(open: string): PyValue {
    const items: PyValue[] = [];
    const trailingComma = this.items(open === '(' ? ')' : ']', () => items.push(this.value()));
    // `(3)` is just 3 in Python; only a comma makes a one-item tuple.
    if (open === '(' && items.length === 1 && !trailingComma) return items[0];
    return open === '(' ? new PyTuple(items) : items;
  }

  private string(): string {
    const quote = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== quote) {
      if (this.s[this.i] === '\\') this.i++;
      out += this.s[this.i++];
    }
    if (this.i >= this.s.length) throw new SyntaxError('unterminated string');
    this.i++;
    return out;
  }
}
