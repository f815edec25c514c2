/**
 * Packs finished .npy files into an .npz (a zip archive), streaming, so memory stays at a few
 * MiB however large the arrays are.
 *
 * Every entry is ZIP64, whatever its size. NumPy's `np.savez` opens each entry with zipfile's
 * `force_zip64=True`, which puts the ZIP64 extra field (0x0001) in the local header only, next
 * to 32-bit sizes that still hold the real values; the central header gets it only past 4 GiB.
 * Here the local header has the extra with both sizes and 0xFFFFFFFF in the 32-bit fields (as
 * the zip spec asks when the extra is present), the central header has it with sizes and
 * offset, and a ZIP64 end record precedes the classic one (except in an empty archive, which
 * np.load recognises only by the classic record's signature). One layout for all sizes means
 * the >4 GiB path is the path every test runs. As zipfile does on a seekable file, the local
 * header is written first and patched with CRC and sizes once the data is in, so no data
 * descriptor is needed.
 *
 * Why not yazl: its `forceZip64Format` adds the extra field to central headers only; local
 * headers get none, yet their data descriptors carry 8-byte sizes, which readers that walk
 * local headers (streaming unzippers) then take as 4-byte sizes.
 */
import { createReadStream } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw } from 'node:zlib';
import { Img2npyError } from '../../shared/errors.js';
import { crc32, writeAll } from './npy-io.js';

export interface NpzEntry {
  /** Entry name in the archive, as `np.savez` names them: 'x.npy' is the array `np.load(dest)['x']`. */
  name: string;
  /** A finished .npy file. */
  file: string;
}

export interface PackOptions {
  /** DEFLATE like `np.savez_compressed` (zlib level 6); otherwise stored like `np.savez`. */
  compress: boolean;
  signal?: AbortSignal;
}

const chunkBytes = 1 << 20;
const localFixed = 30;
const localExtra = 20;
const centralFixed = 46;
const centralExtra = 28;
const zip64Version = 45;
const unixFile = (0o100644 << 16) >>> 0;

interface Written {
  name: Buffer;
  utf8: boolean;
  method: number;
  crc: number;
  size: number;
  packed: number;
  offset: number;
}

/**
 * Builds `dest` from the given .npy files, in order. The partial file is removed on any failure.
 * @example await packNpz([{ name: 'x.npy', file: tmpX }, { name: 'y.npy', file: tmpY }], 'data.npz', { compress: false });
 * @throws {Img2npyError} cancelled when `signal` aborts; write-failed naming `dest` when a
 *   source cannot be read or `dest` cannot be written; internal for bad or repeated names.
 */
export async function packNpz(entries: readonly NpzEntry[], dest: string, options: PackOptions): Promise<{ bytes: number }> {
  const names = entries.map((e) => checkName(e.name));
  if (new Set(names).size !== names.length) throw new Img2npyError('internal', `Expected distinct array names but received ${names.join(', ')}`);
  const { signal } = options;
  if (signal?.aborted) throw cancelled(dest);
  let handle: FileHandle;
  try {
    handle = await open(dest, 'w');
  } catch (err) {
    throw failed(dest, err);
  }
  try {
    const when = dosDateTime(new Date());
    const written: Written[] = [];
    let position = 0;
    for (const [i, entry] of entries.entries()) {
      const name = Buffer.from(names[i], 'utf8');
      const record: Written = {
        name,
        utf8: /[^\x20-\x7e]/.test(names[i]),
        method: options.compress ? 8 : 0,
        crc: 0,
        size: 0,
        packed: 0,
        offset: position,
      };
      await writeAll(handle, localHeader(record, when), position);
      position += localFixed + name.length + localExtra;
      const dataStart = position;
      position = await copyData(entry.file, handle, position, record, options.compress, signal, dest);
      record.packed = position - dataStart;
      await writeAll(handle, localHeader(record, when), record.offset);
      written.push(record);
    }
    // An abort after the last byte of data still cancels: the caller asked for no archive.
    if (signal?.aborted) throw cancelled(dest);
    const end = centralDirectory(written, when, position);
    await writeAll(handle, end, position);
    await handle.close();
    return { bytes: position + end.length };
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(dest).catch(() => undefined);
    if (signal?.aborted || (err as Error).name === 'AbortError') throw cancelled(dest);
    throw failed(dest, err);
  }
}

/** Streams one file into the archive at `position`, filling in CRC and size; returns the end. */
async function copyData(
  file: string, handle: FileHandle, position: number, record: Written, compress: boolean, signal: AbortSignal | undefined, dest: string,
): Promise<number> {
  let crc = 0;
  let size = 0;
  async function* measure(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  }
  // Coalesces deflate's small outputs so the archive is written in ~1 MiB writes.
  async function sink(source: AsyncIterable<Buffer>): Promise<void> {
    let parts: Buffer[] = [];
    let held = 0;
    const flush = async () => {
      const block = parts.length === 1 ? parts[0] : Buffer.concat(parts, held);
      parts = [];
      held = 0;
      await writeAll(handle, block, position);
      position += block.length;
    };
    for await (const chunk of source) {
      parts.push(chunk);
      held += chunk.length;
      if (held >= chunkBytes) await flush();
    }
    if (held > 0) await flush();
  }
  const input = createReadStream(file, { highWaterMark: chunkBytes });
  // A failed read must say which source it was; the archive's path is added by the caller.
  input.on('error', (err) => {
    err.message = `cannot read ${file}: ${err.message}`;
  });
  try {
    if (compress) await pipeline(input, measure, createDeflateRaw({ level: 6 }), sink, { signal });
    else await pipeline(input, measure, sink, { signal });
  } catch (err) {
    if (signal?.aborted) throw cancelled(dest);
    throw err;
  }
  record.crc = crc;
  record.size = size;
  return position;
}

function localHeader(r: Written, when: { date: number; time: number }): Buffer {
  const b = Buffer.alloc(localFixed + r.name.length + localExtra);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(zip64Version, 4);
  b.writeUInt16LE(r.utf8 ? 0x800 : 0, 6);
  b.writeUInt16LE(r.method, 8);
  b.writeUInt16LE(when.time, 10);
  b.writeUInt16LE(when.date, 12);
  b.writeUInt32LE(r.crc, 14);
  // 0xFFFFFFFF sends readers to the ZIP64 extra for the real sizes.
  b.writeUInt32LE(0xffffffff, 18);
  b.writeUInt32LE(0xffffffff, 22);
  b.writeUInt16LE(r.name.length, 26);
  b.writeUInt16LE(localExtra, 28);
  r.name.copy(b, localFixed);
  const x = localFixed + r.name.length;
  b.writeUInt16LE(0x0001, x);
  b.writeUInt16LE(localExtra - 4, x + 2);
  b.writeBigUInt64LE(BigInt(r.size), x + 4);
  b.writeBigUInt64LE(BigInt(r.packed), x + 12);
  return b;
}

/**
 * Size of the stored (uncompressed) .npz `packNpz` builds from .npy files of these sizes: for a
 * dry run to say what a conversion will write without writing it.
 * @example storedNpzBytes([{ name: 'x.npy', bytes: 1152 }]) // 1152 + 2 × 5 + 124 + 98
 */
export function storedNpzBytes(entries: readonly { name: string; bytes: number }[]): number {
  let total = entries.length === 0 ? 22 : 56 + 20 + 22;
  for (const e of entries) total += e.bytes + localFixed + localExtra + centralFixed + centralExtra + 2 * Buffer.byteLength(e.name, 'utf8');
  return total;
}

/** Central headers, ZIP64 end record and locator, and the classic end record. */
function centralDirectory(records: Written[], when: { date: number; time: number }, start: number): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const b = Buffer.alloc(centralFixed + r.name.length + centralExtra);
    b.writeUInt32LE(0x02014b50, 0);
    b.writeUInt16LE((3 << 8) | zip64Version, 4);
    b.writeUInt16LE(zip64Version, 6);
    b.writeUInt16LE(r.utf8 ? 0x800 : 0, 8);
    b.writeUInt16LE(r.method, 10);
    b.writeUInt16LE(when.time, 12);
    b.writeUInt16LE(when.date, 14);
    b.writeUInt32LE(r.crc, 16);
    b.writeUInt32LE(0xffffffff, 20);
    b.writeUInt32LE(0xffffffff, 24);
    b.writeUInt16LE(r.name.length, 28);
    b.writeUInt16LE(centralExtra, 30);
    b.writeUInt32LE(unixFile, 38);
    b.writeUInt32LE(0xffffffff, 42);
    r.name.copy(b, centralFixed);
    const x = centralFixed + r.name.length;
    b.writeUInt16LE(0x0001, x);
    b.writeUInt16LE(centralExtra - 4, x + 2);
    b.writeBigUInt64LE(BigInt(r.size), x + 4);
    b.writeBigUInt64LE(BigInt(r.packed), x + 12);
    b.writeBigUInt64LE(BigInt(r.offset), x + 20);
    parts.push(b);
  }
  const cdSize = parts.reduce((n, p) => n + p.length, 0);
  const end64At = start + cdSize;
  const tail = Buffer.alloc(56 + 20 + 22);
  tail.writeUInt32LE(0x06064b50, 0);
  tail.writeBigUInt64LE(44n, 4);
  tail.writeUInt16LE((3 << 8) | zip64Version, 12);
  tail.writeUInt16LE(zip64Version, 14);
  tail.writeBigUInt64LE(BigInt(records.length), 24);
  tail.writeBigUInt64LE(BigInt(records.length), 32);
  tail.writeBigUInt64LE(BigInt(cdSize), 40);
  tail.writeBigUInt64LE(BigInt(start), 48);
  tail.writeUInt32LE(0x07064b50, 56);
  tail.writeBigUInt64LE(BigInt(end64At), 64);
  tail.writeUInt32LE(1, 72);
  // The classic record keeps real values where they fit, as zipfile does, for ZIP64-blind readers.
  tail.writeUInt32LE(0x06054b50, 76);
  tail.writeUInt16LE(Math.min(records.length, 0xffff), 84);
  tail.writeUInt16LE(Math.min(records.length, 0xffff), 86);
  tail.writeUInt32LE(Math.min(cdSize, 0xffffffff), 88);
  tail.writeUInt32LE(Math.min(start, 0xffffffff), 92);
  // An empty archive is the classic end record alone: np.load recognises a zip by its first four
  // bytes, which must then be that record's signature.
  parts.push(records.length === 0 ? tail.subarray(76) : tail);
  return Buffer.concat(parts);
}

/** np.load only treats '.npy' entries as arrays; a folder in the name would not round-trip. */
function checkName(name: string): string {
  if (!/^[^/\\]+\.npy$/.test(name)) {
    throw new Img2npyError('internal', `Expected an entry name like "x.npy" without folders but received ${JSON.stringify(name)}`);
  }
  return name;
}

function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

function cancelled(dest: string): Img2npyError {
  return new Img2npyError('cancelled', `Cancelled while writing ${dest}`, { file: dest });
}

function failed(dest: string, err: unknown): Img2npyError {
  if (err instanceof Img2npyError) return err;
  return new Img2npyError('write-failed', `Could not write ${dest}: ${err instanceof Error ? err.message : String(err)}`, { file: dest, cause: err });
}
