/**
 * Writes .npy files. `NpyStreamWriter` appends rows as they are produced and only learns N at
 * the end: it writes the header for N = 0 first and rewrites it in place on close, which is
 * safe because NumPy's header reserves 21 digits for the leading dimension (see npy-header.ts),
 * so the file is byte-identical to what `np.save` writes for the same array.
 *
 * Typed arrays are written in host byte order; every platform Node and Electron ship on is
 * little-endian, which is what the '<' descrs promise.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { Img2npyError } from '../../shared/errors.js';
import { buildNpyHeader, itemBytes } from './npy-header.js';
import { type RowList, rowListBytes, writeAll, writeParts } from './npy-io.js';

export interface NpyStreamOptions {
  /** NumPy descr of the elements, e.g. '|u1', '<f4' (see `npyDescr`). */
  descr: string;
  /** Shape of one row: everything after N, e.g. [224, 224, 3]; [] for a 1-D array. */
  rowShape: readonly number[];
}

/**
 * Bytes of one row of such an array.
 * @example rowBytesOf({ descr: '<f4', rowShape: [2, 3] }) // 24
 * @throws {Img2npyError} internal when a row would hold no bytes (rows could not be counted from their bytes).
 */
export function rowBytesOf(options: NpyStreamOptions): number {
  const rowBytes = options.rowShape.reduce((a, b) => a * b, itemBytes(options.descr));
  if (!Number.isSafeInteger(rowBytes) || rowBytes <= 0) {
    throw new Img2npyError('internal', `Expected rows of at least one byte but received descr ${options.descr} and row shape [${options.rowShape.join(', ')}]`);
  }
  return rowBytes;
}

/** @throws {Img2npyError} internal unless `byteLength` is a whole number of `rowBytes` rows for `path`. */
export function checkWholeRows(byteLength: number, rowBytes: number, path: string): void {
  if (byteLength % rowBytes !== 0) {
    throw new Img2npyError('internal', `Expected a multiple of ${rowBytes} bytes (whole rows) for ${path} but received ${byteLength}`);
  }
}

/** The bytes `rows` hold, checked to be whole rows (each part of a RowList too). */
export function wholeRowBytes(rows: ArrayBufferView | RowList, rowBytes: number, path: string): number {
  if (!('crcs' in rows)) {
    checkWholeRows(rows.byteLength, rowBytes, path);
    return rows.byteLength;
  }
  for (const r of rows.rows) checkWholeRows(r.byteLength, rowBytes, path);
  return rowListBytes(rows);
}

/** `rows` as the parts to write: a RowList's rows, or the one buffer's bytes. */
export const partsOf = (rows: ArrayBufferView | RowList): readonly Uint8Array[] =>
  'crcs' in rows ? rows.rows : [new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength)];

/**
 * A .npy file written row by row: `create`, any number of `write`s, then `close` (or `abort`).
 * Each `write` resolves when the bytes are handed to the OS, so awaiting it is the backpressure.
 * @example
 * const w = await NpyStreamWriter.create('/out/x.npy', { descr: '|u1', rowShape: [32, 32, 3] });
 * await w.write(batch); // whole rows only
 * const { rows, bytes } = await w.close();
 */
export class NpyStreamWriter {
  private rows = 0;
  private position: number;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private aborted = false;
  /** Writes in flight, so close and abort wait for them instead of racing the header. */
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown = null;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly options: NpyStreamOptions,
    private readonly rowBytes: number,
    headerBytes: number,
  ) {
    this.position = headerBytes;
  }

  /**
   * Creates `path`, which must not exist ('wx': an existing file or link is refused, so `abort`
   * deletes only a file this call made), and writes a provisional header for zero rows.
   * @throws {Img2npyError} write-failed naming the path when it cannot be created; internal
   *   when a row would hold no bytes (rows could not be counted from their bytes).
   */
  static async create(path: string, options: NpyStreamOptions): Promise<NpyStreamWriter> {
    const rowBytes = rowBytesOf(options);
    const header = buildNpyHeader(options.descr, [0, ...options.rowShape]);
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx');
    } catch (err) {
      throw writeFailed(path, err);
    }
    const writer = new NpyStreamWriter(path, handle, { descr: options.descr, rowShape: [...options.rowShape] }, rowBytes, header.length);
    try {
      await writeAll(handle, header, 0);
    } catch (err) {
      await writer.abort();
      throw writeFailed(path, err);
    }
    return writer;
  }

  /** Bytes in one row. */
  get bytesPerRow(): number {
    return this.rowBytes;
  }

  /** Rows accepted so far. */
  get rowCount(): number {
    return this.rows;
  }

  /**
   * Appends whole rows. Concurrent calls land in call order (each takes its file position when
   * called), but callers should await each one so memory stays bounded.
   * @throws {Img2npyError} internal when the byte length is not a whole number of rows or the
   *   writer is closed; write-failed when the OS refuses the write.
   */
  async write(rows: ArrayBufferView | RowList): Promise<void> {
    if (this.state !== 'open') throw new Img2npyError('internal', `Cannot write to ${this.path}: the writer is already ${this.state}`);
    const byteLength = wholeRowBytes(rows, this.rowBytes, this.path);
    const at = this.position;
    this.position += byteLength;
    this.rows += byteLength / this.rowBytes;
    const done = writeParts(this.handle, partsOf(rows), at);
    this.pending.add(done);
    try {
      await done;
    } catch (err) {
      this.failure ??= err;
      throw writeFailed(this.path, err);
    } finally {
      this.pending.delete(done);
    }
  }

  /**
   * Rewrites the header with the final row count and closes the file.
   * @returns rows written and the file's size in bytes.
   * @throws {Img2npyError} write-failed when the header or the close fails (the file is removed).
   */
  async close(): Promise<{ rows: number; bytes: number }> {
    if (this.state !== 'open') throw new Img2npyError('internal', `Cannot close ${this.path}: the writer is already ${this.state}`);
    this.state = 'closing';
    const header = buildNpyHeader(this.options.descr, [this.rows, ...this.options.rowShape]);
    try {
      await Promise.allSettled(this.pending);
      if (this.failure !== null) throw this.failure;
      if (header.length !== this.position - this.rows * this.rowBytes) {
        throw new Error(`the header for ${this.rows} rows changed length`);
      }
      await writeAll(this.handle, header, 0);
      this.state = 'closed';
      await this.handle.close();
    } catch (err) {
      await this.abort();
      throw writeFailed(this.path, err);
    }
    return { rows: this.rows, bytes: this.position };
  }

  /**
   * Closes and deletes the file, finished or not: the caller is discarding this output. Safe to
   * call at any time and more than once; never throws, so it can run in a `catch` without
   * hiding the error that led there.
   */
  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    this.state = 'closed';
    await Promise.allSettled(this.pending);
    await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}

/**
 * Writes a whole small array (class names, labels) in one go.
 * @example await writeNpyFile('/out/y.npy', '<i4', [3], new Int32Array([0, 1, 1]));
 * @throws {Img2npyError} internal when `data` does not hold exactly the shape's bytes;
 *   write-failed naming the path when the file cannot be written.
 */
export async function writeNpyFile(path: string, descr: string, shape: readonly [number, ...number[]], data: ArrayBufferView): Promise<number> {
  const expected = shape.reduce((a, b) => a * b, itemBytes(descr));
  if (data.byteLength !== expected) {
    throw new Img2npyError('internal', `Expected ${expected} bytes for ${descr} [${shape.join(', ')}] but received ${data.byteLength}`);
  }
  // The streaming writer's rule: it only creates its file ('wx'), and only what it created is
  // removed when the write fails (abort).
  const writer = await NpyStreamWriter.create(path, { descr, rowShape: shape.slice(1) });
  try {
    await writer.write(data);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return (await writer.close()).bytes;
}

/**
 * Width for a '<U' array holding these strings: the longest in code points (not UTF-16 units),
 * at least 1 as NumPy uses for an array of empty strings.
 * @example unicodeWidth(['cat', '🐕']) // 3
 */
export function unicodeWidth(strings: readonly string[]): number {
  let width = 1;
  for (const s of strings) width = Math.max(width, codePoints(s));
  return width;
}

/**
 * Encodes strings as the rows of a '<U{width}' array: UTF-32LE code points, zero padded.
 * NumPy strips trailing NULs when reading, so a string ending in '\0' does not round-trip.
 * @example encodeUnicodeRows(['a', 'bc'], 2) // 16 bytes
 * @throws {Img2npyError} internal when a string is longer than `width` code points.
 */
export function encodeUnicodeRows(strings: readonly string[], width: number): Uint8Array {
  const out = new Uint8Array(strings.length * width * 4);
  const view = new DataView(out.buffer);
  strings.forEach((s, row) => {
    let at = row * width;
    for (const ch of s) {
      if (at >= (row + 1) * width) {
        throw new Img2npyError('internal', `Expected strings of at most ${width} code points but ${JSON.stringify(s)} has ${codePoints(s)}`);
      }
      view.setUint32(at++ * 4, ch.codePointAt(0)!, true);
    }
  });
  return out;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function writeFailed(path: string, err: unknown): Img2npyError {
  if (err instanceof Img2npyError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new Img2npyError('write-failed', `Could not write ${path}: ${reason}`, { file: path, cause: err });
}
