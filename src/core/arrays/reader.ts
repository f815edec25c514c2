/**
 * Reads .npy files and .npz archives (stored or deflated entries) without loading whole arrays:
 * headers at open, then rows on request and statistics a block at a time. The format is told
 * by the file's first bytes, not its name.
 *
 * Stored entries are read straight from the file like a .npy. Deflated entries cannot be entered
 * in the middle, so rows are reached by inflating from the entry's start; each entry keeps its
 * cursor between calls, so rows read in increasing order never inflate the same bytes twice.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import type * as Yauzl from 'yauzl';
import { Img2npyError } from '../../shared/errors.js';
import type { ArrayInfo } from '../../shared/report.js';
import { friendlyDtype, itemBytes, npyHeaderLength, parseNpyHeader, type FriendlyDtype, type NpyHeader } from './npy-header.js';
import { ByteCursor, readAt } from './npy-io.js';
import { decodeRows, streamStats, type ArrayRows, type ArrayStats } from './stats.js';

export type { ArrayRows, ArrayStats } from './stats.js';

export interface ArrayFile {
  readonly path: string;
  readonly format: 'npy' | 'npz';
  /** Arrays in file order; a .npy file holds one, named after the file (x.npy → 'x'). */
  readonly arrays: ArrayInfo[];
  /** One array's shape and dtype by name, without copying the whole list (archives may hold thousands). */
  info(name: string): ArrayInfo;
  /**
   * Rows [start, start + count) along the first axis: typed values for numbers (float16 as raw
   * half bits), strings for '<U'. Memory is what was asked for, not the array's size.
   */
  readRows(name: string, start: number, count: number): Promise<ArrayRows>;
  /** Min, max and mean over the whole array, read in blocks; null for strings and empty arrays. */
  stats(name: string, options?: { signal?: AbortSignal }): Promise<ArrayStats>;
  close(): Promise<void>;
}

interface Member {
  info: ArrayInfo;
  header: NpyHeader;
  dtype: FriendlyDtype;
  itemSize: number;
  rows: number;
  rowBytes: number;
  dataBytes: number;
  /** Bytes [from, from + length) of the data. */
  slice(from: number, length: number): Promise<Uint8Array>;
  /** A cursor over the data, starting at its first byte. */
  cursor(): Promise<ByteCursor>;
  /** Drops any cursor kept between reads. */
  dispose(): void;
}

/**
 * Opens a .npy or .npz file and reads every array's header.
 * @example
 * const f = await openArrayFile('data.npz');
 * const firstLabels = await f.readRows('y', 0, 10);
 * await f.close();
 * @throws {Img2npyError} not-an-array-file naming the file when it is neither format, is
 *   truncated, or holds big-endian, object (pickled), structured or unsupported arrays;
 *   input-not-found / input-unreadable when it cannot be opened.
 */
export async function openArrayFile(path: string): Promise<ArrayFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'input-not-found' : 'input-unreadable';
    throw new Img2npyError(code, `Cannot open ${path}: ${(err as Error).message}`, { file: path, cause: err });
  }
  try {
    const first = await readAt(handle, 2, 0);
    if (first[0] === 0x50 && first[1] === 0x4b) return await openNpz(path, handle);
    if (first[0] !== 0x93) {
      throw notArray(path, path, first.length === 0 ? 'the file is empty' : 'it is neither a .npy file nor an .npz (zip) archive');
    }
    const { size } = await handle.stat();
    const member = await fileMember(path, handle, basename(path, extname(path)), 0, size, path);
    return new Reader(path, 'npy', [member], () => handle.close());
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

/** An array whose .npy bytes lie as-is in the file from `base` on: a .npy file or a stored entry. */
async function fileMember(path: string, handle: FileHandle, name: string, base: number, size: number, where: string): Promise<Member> {
  const length = npyHeaderLength(await readAt(handle, 12, base), where);
  const header = await withFile(path, async () => parseNpyHeader(await readAt(handle, Math.min(length, size), base), where));
  const member = describe(name, header, path, where);
  const at = base + member.header.dataOffset;
  checkLength(path, where, member, size - member.header.dataOffset);
  return {
    ...member,
    async slice(from, len) {
      const bytes = await readLarge(handle, len, at + from);
      if (bytes.length < len) throw truncated(path, where, member.dataBytes, from + bytes.length);
      return bytes;
    },
    async cursor() {
      if (member.dataBytes === 0) return new ByteCursor(Readable.from([]));
      return new ByteCursor(createReadStream(path, { start: at, end: at + member.dataBytes - 1, highWaterMark: 1 << 20 }));
    },
    dispose() {},
  };
}

/**
 * `readAt` in pieces of at most 1 GiB: one read(2) call of 2 GiB or more trips a native
 * assertion in Node's fs binding and aborts the process (a 30000x30000x3 row is 2.7 GB).
 */
async function readLarge(handle: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const piece = 1 << 30;
  if (length <= piece) return readAt(handle, length, position);
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, Math.min(piece, length - done), position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

/** Stored entries are read straight from the file; only deflated ones go through yauzl's inflater. */
async function openNpz(path: string, handle: FileHandle): Promise<ArrayFile> {
  // Loaded on first use: every conversion would otherwise load it (~8 ms) for folders that hold no zip.
  const yauzl = await import('yauzl');
  let zip: Yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { autoClose: false });
  } catch (err) {
    throw notArray(path, path, `it starts like a zip archive but cannot be read as one (${(err as Error).message}); it may be truncated`, err);
  }
  try {
    const members: Member[] = [];
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('.npy')) continue;
      const where = `${path} (entry ${entry.fileName})`;
      const name = entry.fileName.slice(0, -4);
      if (entry.isEncrypted()) throw notArray(path, where, 'the entry is encrypted');
      if (entry.compressionMethod === 0) {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        members.push(await fileMember(path, handle, name, fileDataStart, entry.uncompressedSize, where));
      } else if (entry.compressionMethod === 8) {
        members.push(await deflatedMember(path, zip, entry, name, where));
      } else {
        throw notArray(path, where, `compression method ${entry.compressionMethod} is not supported (only stored and deflated)`);
      }
    }
    return new Reader(path, 'npz', members, async () => {
      zip.close();
      await handle.close();
    });
  } catch (err) {
    zip.close();
    if (err instanceof Img2npyError) throw err;
    throw notArray(path, path, `damaged zip archive (${(err as Error).message})`, err);
  }
}

async function deflatedMember(path: string, zip: Yauzl.ZipFile, entry: Yauzl.Entry, name: string, where: string): Promise<Member> {
  const inflate = async () => new ByteCursor(await zip.openReadStreamPromise(entry));
  const head = await inflate();
  let header: NpyHeader;
  try {
    const prefix = await head.read(12);
    const rest = await head.read(npyHeaderLength(prefix, where) - prefix.length);
    header = await withFile(path, async () => parseNpyHeader(Buffer.concat([prefix, rest]), where));
  } finally {
    head.destroy();
  }
  const member = describe(name, header, path, where);
  checkLength(path, where, member, entry.uncompressedSize - header.dataOffset);
  const at = header.dataOffset;
  let kept: ByteCursor | null = null;
  return {
    ...member,
    async slice(from, len) {
      if (!kept || kept.position > at + from) {
        kept?.destroy();
        kept = await inflate();
      }
      const skip = at + from - kept.position;
      if ((await kept.skip(skip)) < skip) throw truncated(path, where, member.dataBytes, kept.position - at);
      const bytes = await kept.read(len);
      if (bytes.length < len) throw truncated(path, where, member.dataBytes, kept.position - at);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    },
    async cursor() {
      const cursor = await inflate();
      if ((await cursor.skip(at)) < at) throw truncated(path, where, member.dataBytes, 0);
      return cursor;
    },
    dispose() {
      kept?.destroy();
      kept = null;
    },
  };
}

/** The header parser names what it was given (maybe an entry); the error's file must be the file. */
async function withFile<T>(path: string, parse: () => Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (err) {
    if (err instanceof Img2npyError && err.file !== path) throw new Img2npyError(err.code, err.message, { file: path, cause: err });
    throw err;
  }
}

/** The parts of a member that only need the header; refuses dtypes img2npy cannot read. */
function describe(name: string, header: NpyHeader, file: string, where = file): Omit<Member, 'slice' | 'cursor' | 'dispose'> {
  const dtype = friendlyDtype(header.descr);
  if (!dtype) {
    throw notArray(file, where, `descr ${header.descr} is not supported (readable: uint8 '|u1', int32 '<i4', int64 '<i8', float32 '<f4', float16 '<f2', float64 '<f8', unicode '<U')`);
  }
  const itemSize = itemBytes(header.descr);
  const shape = header.shape;
  const rows = shape.length === 0 ? 1 : shape[0];
  const rowBytes = shape.slice(1).reduce((a, b) => a * b, itemSize);
  return {
    info: { name, shape: [...shape], descr: header.descr, dtype },
    header,
    dtype,
    itemSize,
    rows,
    rowBytes,
    dataBytes: rows * rowBytes,
  };
}

function checkLength(file: string, where: string, member: { dataBytes: number }, available: number): void {
  if (available < member.dataBytes) throw truncated(file, where, member.dataBytes, Math.max(0, available));
}

class Reader implements ArrayFile {
  private readonly members: Map<string, Member>;
  private closed = false;
  /** readRows calls run one at a time: a deflated member's kept cursor is shared state. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    readonly format: 'npy' | 'npz',
    list: Member[],
    private readonly release: () => Promise<void>,
  ) {
    this.members = new Map(list.map((m) => [m.info.name, m]));
  }

  get arrays(): ArrayInfo[] {
    return [...this.members.values()].map((m) => ({ ...m.info, shape: [...m.info.shape] }));
  }

  info(name: string): ArrayInfo {
    const { info } = this.member(name);
    return { ...info, shape: [...info.shape] };
  }

  async readRows(name: string, start: number, count: number): Promise<ArrayRows> {
    const m = this.member(name);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0 || start + count > m.rows) {
      throw new Img2npyError('internal', `Expected rows within 0..${m.rows} of ${name} in ${this.path} but received start ${start}, count ${count}`);
    }
    if (m.header.fortranOrder && m.header.shape.length > 1) {
      throw notArray(this.path, this.path, `${name} is stored in Fortran (column-major) order, so its rows are not contiguous; rows of such arrays are not supported`);
    }
    if (count === 0) return decodeRows(new Uint8Array(0), m.dtype, m.itemSize);
    const run = this.queue.then(() => this.guard(name, () => m.slice(start * m.rowBytes, count * m.rowBytes)));
    this.queue = run.catch(() => undefined);
    return decodeRows(await run, m.dtype, m.itemSize);
  }

  async stats(name: string, options: { signal?: AbortSignal } = {}): Promise<ArrayStats> {
    const m = this.member(name);
    if (m.dtype === 'str' || m.dataBytes === 0) return { min: null, max: null, mean: null };
    return this.guard(name, async () => {
      // Small arrays are read in one positional read: a stream per array (an open, a close) is
      // what made an archive of 20,000 small entries slow to inspect.
      const small = m.dataBytes <= 1 << 20;
      const cursor = small ? new ByteCursor(Readable.from([Buffer.from(await m.slice(0, m.dataBytes))])) : await m.cursor();
      try {
        return await streamStats(cursor, m.dataBytes, m.dtype, this.path, options.signal);
      } finally {
        cursor.destroy();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    for (const m of this.members.values()) m.dispose();
    await this.release();
  }

  /** Stream and inflate failures (a corrupt deflate block, a vanished file) name the array. */
  private async guard<T>(name: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof Img2npyError) throw err;
      throw notArray(this.path, this.path, `cannot read ${name} (${(err as Error).message})`, err);
    }
  }

  private member(name: string): Member {
    if (this.closed) throw new Img2npyError('internal', `${this.path} is already closed`);
    const m = this.members.get(name);
    if (!m) throw new Img2npyError('internal', `No array named ${name} in ${this.path}; it holds ${[...this.members.keys()].join(', ') || 'none'}`);
    return m;
  }
}

/** `where` is what the message names (the file, or an entry in it); `file` is the error's file. */
function notArray(file: string, where: string, problem: string, cause?: unknown): Img2npyError {
  return new Img2npyError('not-an-array-file', `${where} is not a readable NumPy array: ${problem}`, { file, cause });
}

function truncated(file: string, where: string, expected: number, found: number): Img2npyError {
  return notArray(file, where, `truncated (the data should be ${expected} bytes but only ${found} are there)`);
}
