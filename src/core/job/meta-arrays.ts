/**
 * The extra columns of a labels file, streamed next to x as one .npy per column and shard:
 * whole numbers as int64, other numbers as float64, text as '<U' (width over the whole job, so
 * every shard and split has the same dtype).
 */
import { join } from 'node:path';
import type { ArrayInfo } from '../../shared/report.js';
import { NpyStreamWriter, encodeUnicodeRows, unicodeWidth } from '../arrays/npy-writer.js';
import type { MetaColumn, MetaValue, ScannedFile } from '../types.js';

export interface MetaArraySpec {
  name: string;
  descr: string;
  kind: MetaColumn['kind'];
}

/** The array specs of a job's extra columns, with text widths over all of its files. */
export function metaArraySpecs(columns: readonly MetaColumn[], files: readonly ScannedFile[]): MetaArraySpec[] {
  return columns.map((c, k) => ({
    name: c.name,
    kind: c.kind,
    descr: c.kind === 'int64' ? '<i8' : c.kind === 'float64' ? '<f8' : `<U${unicodeWidth(files.map((f) => String(f.meta![k])))}`,
  }));
}

export function describeMeta(specs: readonly MetaArraySpec[], rows: number): ArrayInfo[] {
  return specs.map((s) => ({ name: s.name, descr: s.descr, shape: [rows], dtype: s.kind === 'text' ? 'str' : s.kind }));
}

/** One shard's open column writers. */
export class MetaShard {
  private constructor(
    private readonly specs: readonly MetaArraySpec[],
    private readonly writers: NpyStreamWriter[],
  ) {}

  static async open(dir: string, specs: readonly MetaArraySpec[]): Promise<MetaShard> {
    const writers: NpyStreamWriter[] = [];
    for (const s of specs) writers.push(await NpyStreamWriter.create(join(dir, `${s.name}.npy`), { descr: s.descr, rowShape: [] }));
    return new MetaShard(specs, writers);
  }

  /** Appends the rows' values (one `MetaValue[]` per row, in column order). */
  async write(rows: readonly (readonly MetaValue[])[]): Promise<void> {
    for (const [k, s] of this.specs.entries()) {
      const values = rows.map((r) => r[k]);
      const bytes =
        s.kind === 'int64'
          ? new Uint8Array(BigInt64Array.from(values as bigint[]).buffer)
          : s.kind === 'float64'
            ? new Uint8Array(Float64Array.from(values as number[]).buffer)
            : encodeUnicodeRows(values as string[], Number(s.descr.slice(2)));
      await this.writers[k].write(bytes);
    }
  }

  /** Closes every column; returns array name → file. */
  async close(): Promise<Record<string, string>> {
    const files: Record<string, string> = {};
    for (const [k, w] of this.writers.entries()) {
      await w.close();
      files[this.specs[k].name] = w.path;
    }
    return files;
  }

  async abort(): Promise<void> {
    await Promise.allSettled(this.writers.map((w) => w.abort()));
  }
}
