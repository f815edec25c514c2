/**
 * Writes an .npz (zip) archive entry by entry, each entry's data streamed in as it is produced,
 * so an array is written once, straight into the archive, and memory stays at a few MiB however
 * large it is. The layout is npz-pack.ts's (see there); this is the one writer of it.
 *
 * An entry may open with a `head` (an .npy header whose row count is only known at the end) that
 * is replaced in place by bytes of the same length when the entry ends. When compressing, the
 * head goes in a stored DEFLATE block of its own, followed by zlib's raw stream for the rest:
 * a valid DEFLATE stream (blocks simply follow one another) whose head bytes can still be
 * rewritten. The CRC of head + body is combined from both parts' CRCs (crc32Combine).
 */
import { createReadStream } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { Img2npyError } from '../../shared/errors.js';
import { type RowList, crc32, crc32Combine, rowListCrc, writeAll, writeParts, writevAll } from './npy-io.js';
import { type ZipRecord, centralDirectory, dosDateTime, localExtra, localFixed, localHeader, newRecord } from './zip-records.js';

export interface ZipWriterOptions {
  /** DEFLATE like `np.savez_compressed` (zlib level 6); otherwise stored like `np.savez`. */
  compress: boolean;
  /** Checked before every write and before the central directory: an abort means no archive. */
  signal?: AbortSignal;
}

const flushBytes = 1 << 20;
const storedBlockHeader = 5;

interface OpenEntry {
  record: ZipRecord;
  dataStart: number;
  head: Uint8Array;
  /** Where the head's bytes lie in the file. */
  headAt: number;
  bodyCrc: number;
  bodySize: number;
  deflate: DeflateSink | null;
}

/**
 * One archive being written: `create`, then per entry `beginEntry`, `writeData`…, `endEntry`
 * (or `addFile`), then `close`, or `abort` at any point. Await each call before the next.
 * @example
 * const zip = await ZipWriter.create('/tmp/job/a.npz', { compress: false });
 * await zip.beginEntry('x.npy', provisionalHeader);
 * await zip.writeData(rows);
 * await zip.endEntry(finalHeader);
 * await zip.addFile('y.npy', '/tmp/job/y.npy');
 * const { bytes } = await zip.close();
 */
export class ZipWriter {
  private position = 0;
  private readonly records: ZipRecord[] = [];
  private readonly when = dosDateTime(new Date());
  private entry: OpenEntry | null = null;
  private state: 'open' | 'closed' = 'open';
  private aborted = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly options: ZipWriterOptions,
  ) {}

  /**
   * Creates `path`, which must not exist: 'wx' refuses an existing file or link, so the writer
   * never truncates what it did not create, and `abort` deletes only the file this call made
   * (callers put it in the job's own temporary folder, job/temp-dirs.ts).
   * @throws {Img2npyError} cancelled when the signal has aborted; write-failed naming `path`
   *   (also when something is already there).
   */
  static async create(path: string, options: ZipWriterOptions): Promise<ZipWriter> {
    if (options.signal?.aborted) throw cancelled(path);
    try {
      return new ZipWriter(path, await open(path, 'wx'), options);
    } catch (err) {
      throw failed(path, err);
    }
  }

  /**
   * Starts entry `name` ('x.npy'), writing its local header and `head` (see the file comment).
   * @throws {Img2npyError} internal for a bad or repeated name or an entry still open;
   *   write-failed naming the archive.
   */
  async beginEntry(name: string, head: Uint8Array = new Uint8Array(0)): Promise<void> {
    this.expectOpen();
    if (this.entry) throw new Img2npyError('internal', `Cannot start ${name} in ${this.path}: ${this.entry.record.name.toString()} is still open`);
    if (this.records.some((r) => r.name.toString() === name)) throw new Img2npyError('internal', `Expected distinct array names but received ${name} twice`);
    if (head.length > 0xffff) throw new Img2npyError('internal', `Expected a head of at most 65535 bytes but received ${head.length}`);
    const { compress } = this.options;
    const record = newRecord(name, compress ? 8 : 0, this.position);
    const dataStart = this.position + localFixed + record.name.length + localExtra;
    const parts: Uint8Array[] = [localHeader(record, this.when)];
    if (compress && head.length > 0) {
      // BFINAL 0, BTYPE 00 (stored), then LEN and its complement: zlib's stream follows.
      const block = Buffer.alloc(storedBlockHeader);
      block.writeUInt16LE(head.length, 1);
      block.writeUInt16LE(~head.length & 0xffff, 3);
      parts.push(block);
    }
    if (head.length > 0) parts.push(head);
    const headAt = dataStart + (compress && head.length > 0 ? storedBlockHeader : 0);
    this.entry = { record, dataStart, head, headAt, bodyCrc: 0, bodySize: 0, deflate: compress ? new DeflateSink() : null };
    await this.guard(() => writevAll(this.handle, parts, this.position));
    this.position = headAt + head.length;
  }

  /**
   * Appends `bytes` to the open entry. Resolves once they are handed to the OS or to zlib, so
   * the caller may then reuse the buffer.
   * @throws {Img2npyError} cancelled when the signal has aborted; write-failed naming the archive.
   */
  async writeData(bytes: Uint8Array): Promise<void> {
    await this.append([bytes], (crc) => crc32(bytes, crc));
  }

  /**
   * Appends rows to the open entry's data as writeData does, taking the entry's CRC-32 from the
   * rows' own (RowList) instead of reading their bytes again.
   */
  async writeRows(list: RowList): Promise<void> {
    await this.append(list.rows, (crc) => rowListCrc(list, crc));
  }

  /** Appends `parts` to the open entry; `crcAfter` continues the entry's CRC-32 over them. */
  private async append(parts: readonly Uint8Array[], crcAfter: (crc: number) => number): Promise<void> {
    const entry = this.openEntry();
    if (this.options.signal?.aborted) throw cancelled(this.path);
    const bytes = parts.reduce((n, p) => n + p.byteLength, 0);
    entry.bodyCrc = crcAfter(entry.bodyCrc);
    entry.bodySize += bytes;
    const sink = entry.deflate;
    if (!sink) {
      const at = this.position;
      this.position += bytes;
      await this.guard(() => writeParts(this.handle, parts, at));
      return;
    }
    await this.guard(async () => {
      for (const part of parts) await sink.write(part);
      if (sink.held >= flushBytes) await this.drain(sink);
    });
  }

  /**
   * Finishes the open entry: the rest of the compressed stream, `head` written over the
   * provisional one (same length), then CRC and sizes patched into the local header.
   * @throws {Img2npyError} internal when `head` changed length; write-failed naming the archive.
   */
  async endEntry(head?: Uint8Array): Promise<void> {
    const entry = this.openEntry();
    const final = head ?? entry.head;
    if (final.length !== entry.head.length) {
      throw new Img2npyError('internal', `Expected a ${entry.head.length}-byte head for ${entry.record.name.toString()} but received ${final.length} bytes`);
    }
    await this.guard(async () => {
      if (entry.deflate) {
        await entry.deflate.end();
        await this.drain(entry.deflate);
      }
      if (head && final.length > 0) await writeAll(this.handle, final, entry.headAt);
      const { record } = entry;
      record.crc = final.length > 0 ? crc32Combine(crc32(final), entry.bodyCrc, entry.bodySize) : entry.bodyCrc;
      record.size = final.length + entry.bodySize;
      record.packed = this.position - entry.dataStart;
      await writeAll(this.handle, localHeader(record, this.when), record.offset);
      this.records.push(record);
      this.entry = null;
    });
  }

  /**
   * Adds a finished file as entry `name`, streamed in 1 MiB pieces.
   * @throws {Img2npyError} write-failed naming the archive and the file that could not be read.
   */
  async addFile(name: string, file: string): Promise<void> {
    await this.beginEntry(name);
    const input = createReadStream(file, { highWaterMark: flushBytes });
    // A failed read must say which source it was; the archive's path is added by guard.
    input.on('error', (err) => {
      err.message = `cannot read ${file}: ${err.message}`;
    });
    try {
      for await (const chunk of input) await this.writeData(chunk as Buffer);
    } catch (err) {
      throw failed(this.path, err);
    }
    await this.endEntry();
  }

  /**
   * Writes the central directory and closes the file.
   * @returns the archive's size in bytes.
   * @throws {Img2npyError} cancelled when the signal aborted, even after the last data byte (the
   *   caller asked for no archive); write-failed naming the archive.
   */
  async close(): Promise<{ bytes: number }> {
    this.expectOpen();
    if (this.entry) throw new Img2npyError('internal', `Cannot close ${this.path}: ${this.entry.record.name.toString()} is still open`);
    if (this.options.signal?.aborted) throw cancelled(this.path);
    const end = centralDirectory(this.records, this.when, this.position);
    await this.guard(async () => {
      await writeAll(this.handle, end, this.position);
      this.state = 'closed';
      await this.handle.close();
    });
    return { bytes: this.position + end.length };
  }

  /**
   * Stops and deletes the archive, finished or not: ours, since `create` made it ('wx'). Safe at any time and more than once; never
   * throws, so it can run in a `catch` without hiding the error that led there.
   */
  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    this.state = 'closed';
    this.entry?.deflate?.destroy();
    this.entry = null;
    await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }

  private async drain(sink: DeflateSink): Promise<void> {
    const parts = sink.take();
    const at = this.position;
    this.position += parts.reduce((n, p) => n + p.length, 0);
    await writevAll(this.handle, parts, at);
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (this.options.signal?.aborted) throw cancelled(this.path);
      throw failed(this.path, err);
    }
  }

  private expectOpen(): void {
    if (this.state !== 'open') throw new Img2npyError('internal', `Cannot write to ${this.path}: the archive is already closed`);
  }

  private openEntry(): OpenEntry {
    this.expectOpen();
    if (!this.entry) throw new Img2npyError('internal', `Cannot write to ${this.path}: no entry is open`);
    return this.entry;
  }
}

/** zlib's raw DEFLATE stream, its output gathered until the archive takes it. */
class DeflateSink {
  private readonly stream: DeflateRaw = createDeflateRaw({ level: 6 });
  private parts: Buffer[] = [];
  private readonly ended: Promise<void>;
  held = 0;

  constructor() {
    this.stream.on('data', (chunk: Buffer) => {
      this.parts.push(chunk);
      this.held += chunk.length;
    });
    this.ended = new Promise((resolve, reject) => {
      this.stream.once('end', resolve);
      this.stream.once('error', reject);
    });
    this.ended.catch(() => undefined);
  }

  /** Resolves once zlib has consumed `bytes` (its callback comes after the whole input is read). */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.stream.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  async end(): Promise<void> {
    this.stream.end();
    await this.ended;
  }

  take(): Buffer[] {
    const parts = this.parts;
    this.parts = [];
    this.held = 0;
    return parts;
  }

  destroy(): void {
    this.stream.destroy();
  }
}

function cancelled(dest: string): Img2npyError {
  return new Img2npyError('cancelled', `Cancelled while writing ${dest}`, { file: dest });
}

function failed(dest: string, err: unknown): Img2npyError {
  if (err instanceof Img2npyError) return err;
  return new Img2npyError('write-failed', `Could not write ${dest}: ${err instanceof Error ? err.message : String(err)}`, { file: dest, cause: err });
}
