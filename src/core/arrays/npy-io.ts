/**
 * Small byte-level helpers shared by the .npy/.npz writers and reader: positional writes that
 * finish, a CRC-32 that works on every Node 20, and a cursor that pulls exact byte counts out
 * of a stream without holding more than the caller asked for.
 */
import { writeSync, writevSync } from 'node:fs';
import { type FileHandle, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';

/**
 * Writes start synchronous and switch to asynchronous for good once one is slow, as reads do
 * (decode/read-file.ts). Into the page cache a batch takes microseconds to a few milliseconds,
 * while an asynchronous write is a thread-pool round trip whose wait the job's loop spends
 * idle: on 32² PNGs, x, y and paths written that way per batch of 32 held the whole conversion
 * to the writes' latency (measured: 1.04 → 0.89 s for 5,000 images). A slow disk or network
 * share blocks the event loop at most once, for one write.
 */
let syncWrites = true;
const slowWriteMs = 20;
/**
 * Larger writes go asynchronously all the same: their round trip is small beside the copy, and a
 * 5 MB batch copied on the job's loop (~5 ms here) would hold back the decoder threads' next
 * requests (measured: threads idle a quarter of a 224x224 run).
 */
const syncWriteMaxBytes = 1024 * 1024;

/** Writes all of `bytes` at `position` (a single write may be short). */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  if (syncWrites && bytes.length <= syncWriteMaxBytes) {
    const t0 = performance.now();
    while (done < bytes.length) done += writeSync(handle.fd, bytes, done, bytes.length - done, position + done);
    if (performance.now() - t0 > slowWriteMs) syncWrites = false;
    return;
  }
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** Reads up to `length` bytes at `position` into a fresh buffer; shorter only at end of file. */
export async function readAt(handle: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

let table: Int32Array | null = null;

/** CRC-32 (zip's) in plain JS, for Node releases before zlib.crc32 (20.15). */
export function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 continuing from `value`; native where Node has it. */
export const crc32: (data: Uint8Array, value?: number) => number = nativeCrc32 ?? tableCrc32;

/** Multiplies two polynomials modulo CRC-32's generator (bit-reflected, as zlib's multmodp). */
function multModP(a: number, b: number): number {
  let m = 1 << 31;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ 0xedb88320 : b >>> 1;
  }
  return p >>> 0;
}

let powers: number[] | null = null;

/** x^(n·2^k) modulo the generator: the shift a CRC undergoes over n more bytes (k = 3). */
function xPowModP(n: number, k: number): number {
  if (!powers) {
    powers = [1 << 30];
    for (let i = 1; i < 32; i++) powers.push(multModP(powers[i - 1], powers[i - 1]));
  }
  let p = 1 << 31;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(powers[k & 31], p);
    n = Math.floor(n / 2);
    k++;
  }
  return p >>> 0;
}

let shiftLength = -1;
let shift = 0;

/**
 * CRC-32 of A followed by B from the CRCs of A and B and B's length (zlib's crc32_combine), in
 * O(log length): a zip entry's CRC when A, a header, is only final after B was written, or
 * when rows were check-summed where they were made. The shift for B's length is kept for the
 * next call: rows of one array share it, so a row then costs one polynomial product.
 * @example crc32Combine(crc32(a), crc32(b), b.length) === crc32(Buffer.concat([a, b]))
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB !== shiftLength) {
    shift = xPowModP(lengthB, 3);
    shiftLength = lengthB;
  }
  return (multModP(shift, crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}

/**
 * Whole rows in buffers of their own, with each row's CRC-32 (taken where the row was made):
 * written with one writev and never gathered into one buffer.
 */
export interface RowList {
  rows: readonly Uint8Array[];
  crcs: readonly number[];
}

export const rowListBytes = (list: RowList): number => list.rows.reduce((n, r) => n + r.byteLength, 0);

/** The CRC-32 of `list`'s bytes continued from `value`, from the rows' own CRCs. */
export function rowListCrc(list: RowList, value: number): number {
  let crc = value;
  list.rows.forEach((r, i) => (crc = crc32Combine(crc, list.crcs[i], r.byteLength)));
  return crc;
}

/** Rows `from` to `to` of `list`. */
export const sliceRowList = (list: RowList, from: number, to: number): RowList => ({ rows: list.rows.slice(from, to), crcs: list.crcs.slice(from, to) });

/**
 * Writes all of `parts` in order from `position`: synchronously while writes are small and fast,
 * as writeAll does, else through writevAll.
 */
export async function writeParts(handle: FileHandle, parts: readonly Uint8Array[], position: number): Promise<void> {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  if (!syncWrites || total > syncWriteMaxBytes || parts.length > 1024) return writevAll(handle, parts, position);
  const t0 = performance.now();
  const written = writevSync(handle.fd, parts as Uint8Array[], position);
  if (written < total) await finishShortWrite(handle, parts, position, written);
  if (performance.now() - t0 > slowWriteMs) syncWrites = false;
}

/** After a short writev (rare on files) of `parts` at `position`: the rest, one part at a time. */
async function finishShortWrite(handle: FileHandle, parts: readonly Uint8Array[], position: number, written: number): Promise<void> {
  let offset = 0;
  for (const p of parts) {
    const from = Math.max(0, written - offset);
    if (from < p.byteLength) await writeAll(handle, p.subarray(from), position + offset + from);
    offset += p.byteLength;
  }
}

/** Writes all of `parts`, in order, from `position` with as few system calls as the OS allows. */
export async function writevAll(handle: FileHandle, parts: readonly Uint8Array[], position: number): Promise<void> {
  let at = position;
  // IOV_MAX is 1024 on Linux and macOS.
  for (let i = 0; i < parts.length; i += 1024) {
    const group = parts.slice(i, i + 1024);
    const total = group.reduce((n, p) => n + p.length, 0);
    const { bytesWritten } = await handle.writev(group, at);
    if (bytesWritten < total) await finishShortWrite(handle, group, at, bytesWritten);
    at += total;
  }
}

/**
 * Pulls exact byte counts from a stream, in order. Only the chunk in hand is held, so memory is
 * what the caller reads plus one stream chunk.
 */
export class ByteCursor {
  /** Bytes consumed so far (read or skipped). */
  position = 0;
  private readonly chunks: AsyncIterator<Buffer>;
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Up to `n` bytes; fewer only when the stream ends. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const piece = await this.take(n - got);
      if (!piece) break;
      parts.push(piece);
      got += piece.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, got);
  }

  /** Discards `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      const piece = await this.take(n - got);
      if (!piece) break;
      got += piece.length;
    }
    return got;
  }

  /** The next chunk as it comes from the stream (at most `max` bytes), or null at the end. */
  async next(max = Number.MAX_SAFE_INTEGER): Promise<Buffer | null> {
    return this.take(max);
  }

  destroy(): void {
    this.stream.destroy();
  }

  private async take(max: number): Promise<Buffer | null> {
    if (this.held.length === 0) {
      const r = await this.chunks.next();
      if (r.done) return null;
      this.held = r.value;
    }
    const piece = this.held.length <= max ? this.held : this.held.subarray(0, max);
    this.held = this.held.subarray(piece.length);
    this.position += piece.length;
    return piece;
  }
}

/** Bytes of an output: a file, or the files of a folder of .npy files (what manifests record). */
export async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(path)) total += (await stat(join(path, e))).size;
  return total;
}
