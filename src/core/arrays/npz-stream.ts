/**
 * An .npz whose first array is written row by row straight into the archive, so a conversion
 * writes x once instead of staging x.npy and copying it into the zip at the end. Like
 * NpyStreamWriter, the .npy header is written for N = 0 and rewritten in place on close (NumPy
 * reserves 21 digits for N, so its length does not change); the smaller arrays, staged as .npy
 * files, follow it into the archive on close.
 */
import { Img2npyError } from '../../shared/errors.js';
import { buildNpyHeader } from './npy-header.js';
import type { NpzEntry } from './npz-pack.js';
import { type NpyStreamOptions, partsOf, rowBytesOf, wholeRowBytes } from './npy-writer.js';
import { ZipWriter } from './zip-writer.js';
import type { RowList } from './npy-io.js';

export interface NpzStreamOptions extends NpyStreamOptions {
  /** Entry name of the streamed array, e.g. 'x.npy'. */
  name: string;
  /** DEFLATE like `np.savez_compressed`; otherwise stored like `np.savez`. */
  compress: boolean;
}

/**
 * @example
 * const w = await NpzStreamWriter.create('/tmp/job/all.npz', { name: 'x.npy', descr: '|u1', rowShape: [32, 32, 3], compress: false });
 * await w.write(batch); // whole rows; the buffer may be reused once this resolves
 * await w.close([{ name: 'y.npy', file: stagedY }]);
 */
export class NpzStreamWriter {
  private rows = 0;
  private state: 'open' | 'closed' = 'open';
  /** Each write waits for the one before: the archive is one sequential stream. */
  private last: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  private constructor(
    private readonly zip: ZipWriter,
    private readonly options: NpzStreamOptions,
    private readonly rowBytes: number,
  ) {}

  /**
   * Creates the archive and opens the streamed entry with a header for zero rows.
   * @throws {Img2npyError} write-failed naming the path; internal when a row would hold no bytes.
   */
  static async create(path: string, options: NpzStreamOptions): Promise<NpzStreamWriter> {
    const rowBytes = rowBytesOf(options);
    const zip = await ZipWriter.create(path, { compress: options.compress });
    try {
      await zip.beginEntry(options.name, buildNpyHeader(options.descr, [0, ...options.rowShape]));
    } catch (err) {
      await zip.abort();
      throw err;
    }
    return new NpzStreamWriter(zip, { ...options, rowShape: [...options.rowShape] }, rowBytes);
  }

  get path(): string {
    return this.zip.path;
  }

  /** Rows accepted so far. */
  get rowCount(): number {
    return this.rows;
  }

  /**
   * Appends whole rows: one buffer of them, or a RowList (each row a buffer with its CRC-32).
   * Calls land in call order; await each so memory stays bounded.
   * @throws {Img2npyError} internal when the byte length is not a whole number of rows or the
   *   writer is closed; write-failed naming the archive when the OS refuses the write.
   */
  async write(rows: ArrayBufferView | RowList): Promise<void> {
    if (this.state !== 'open') throw new Img2npyError('internal', `Cannot write to ${this.path}: the writer is already closed`);
    this.rows += wholeRowBytes(rows, this.rowBytes, this.path) / this.rowBytes;
    const done = this.last.then(() => ('crcs' in rows ? this.zip.writeRows(rows) : this.zip.writeData(partsOf(rows)[0])));
    this.last = done.catch((err: unknown) => {
      this.failure ??= err;
    });
    await done;
  }

  /**
   * Rewrites the streamed array's header with the final row count, appends `rest` (finished
   * .npy files) and writes the central directory. On failure the archive is removed.
   * @returns rows streamed and the archive's size in bytes.
   * @throws {Img2npyError} write-failed naming the archive.
   */
  async close(rest: readonly NpzEntry[]): Promise<{ rows: number; bytes: number }> {
    if (this.state !== 'open') throw new Img2npyError('internal', `Cannot close ${this.path}: the writer is already closed`);
    this.state = 'closed';
    try {
      await this.last;
      // Rows are missing from the entry: no archive rather than a wrong one.
      if (this.failure !== null) throw this.failure;
      await this.zip.endEntry(buildNpyHeader(this.options.descr, [this.rows, ...this.options.rowShape]));
      for (const entry of rest) await this.zip.addFile(entry.name, entry.file);
      const { bytes } = await this.zip.close();
      return { rows: this.rows, bytes };
    } catch (err) {
      await this.zip.abort();
      throw err;
    }
  }

  /** Stops and deletes the archive; never throws (see ZipWriter.abort). */
  async abort(): Promise<void> {
    this.state = 'closed';
    await this.last;
    await this.zip.abort();
  }
}
