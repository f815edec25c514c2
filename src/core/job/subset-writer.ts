/**
 * Streams one subset's rows (x, y, paths) into the job's temporary folder, starting a new shard
 * every `shardSize` rows: .npy files, or for an .npz output x straight into the shard's archive
 * (written once: no x.npy to copy in afterwards) and the small arrays as .npy files that join it
 * when the shard is sealed. Nothing reaches the destination here: `finish` returns the staged
 * shards and the caller publishes them all at once.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { ArrayInfo } from '../../shared/report.js';
import { NpzStreamWriter } from '../arrays/npz-stream.js';
import { NpyStreamWriter, encodeUnicodeRows, rowBytesOf, unicodeWidth, writeNpyFile } from '../arrays/npy-writer.js';
import { friendlyDtype, npyDescr } from '../arrays/npy-header.js';
import type { MetaValue, SubsetName } from '../types.js';
import { type MetaArraySpec, MetaShard, describeMeta } from './meta-arrays.js';
import { ChannelStatsAccumulator, type ChannelStatsDtype } from '../arrays/channel-stats.js';
import type { Layout } from '../../shared/options.js';
import type { ChannelStats } from '../../shared/report.js';
import { type RowList, sliceRowList } from '../arrays/npy-io.js';
import type { ChannelSums } from '../arrays/uint8-sums.js';

export interface ArraySpec {
  descr: string;
  rowShape: number[];
}

export interface SubsetSpec {
  subset: SubsetName;
  tempDir: string;
  x: ArraySpec;
  /** null when labels are 'none'. */
  y: ArraySpec | null;
  pathWidth: number;
  classNames: string[];
  shardSize: number | null;
  /** x's axis order: where its channel axis is, for the per-channel statistics. */
  layout: Layout;
  /** Extra columns of a labels file, one array each (see meta-arrays.ts). */
  meta?: MetaArraySpec[];
  /** Set for an .npz output: each shard becomes an archive as its rows arrive. */
  npz?: { compress: boolean } | null;
}

/** Rows as the decoder threads sent them, with each row's CRC-32 and channel sums. */
export interface DigestedRows extends RowList {
  sums: readonly ChannelSums[];
}

export interface StagedShard {
  dir: string;
  rows: number;
  /** Array name → staged .npy file; empty when the shard is already an archive. */
  files: Record<string, string>;
  /** The shard's finished .npz in the temporary folder, for an .npz output. */
  archive?: string;
}

interface OpenShard {
  dir: string;
  rows: number;
  x: NpyStreamWriter | NpzStreamWriter;
  y: NpyStreamWriter | null;
  paths: NpyStreamWriter;
  meta: MetaShard | null;
}

export class SubsetWriter {
  private current: OpenShard | null = null;
  private readonly staged: StagedShard[] = [];
  private readonly rowBytes: number;
  private readonly yRowBytes: number;
  private readonly stats: ChannelStatsAccumulator;

  constructor(private readonly spec: SubsetSpec) {
    this.rowBytes = rowBytesOf(spec.x);
    this.yRowBytes = spec.y ? rowBytesOf(spec.y) : 0;
    this.stats = new ChannelStatsAccumulator({ dtype: friendlyDtype(spec.x.descr) as ChannelStatsDtype, rowShape: spec.x.rowShape, layout: spec.layout });
  }

  /** Per-channel mean and std of every x row written so far (all shards); null before any row. */
  channelStats(): ChannelStats | null {
    return this.stats.result();
  }

  get rows(): number {
    return this.staged.reduce((n, s) => n + s.rows, 0) + (this.current?.rows ?? 0);
  }

  /** The arrays one output of `rows` samples holds, as written by `seal`. */
  describe(rows: number): ArrayInfo[] {
    const { x, y, pathWidth, classNames } = this.spec;
    const info = (name: string, descr: string, shape: number[]): ArrayInfo => ({ name, descr, shape, dtype: friendlyDtype(descr) ?? descr });
    return [
      info('x', x.descr, [rows, ...x.rowShape]),
      ...(y ? [info('y', y.descr, [rows, ...y.rowShape])] : []),
      info('class_names', npyDescr({ unicode: unicodeWidth(classNames) }), [classNames.length]),
      info('paths', npyDescr({ unicode: pathWidth }), [rows]),
      ...describeMeta(this.spec.meta ?? [], rows),
    ];
  }

  /**
   * Appends `count` rows; `x` and `y` hold exactly `count` rows each. x is one buffer of rows,
   * or the decoder threads' rows as they came (DigestedRows): then neither gathered, check-summed
   * nor summed again here.
   */
  async write(count: number, x: Uint8Array | DigestedRows, y: Uint8Array | null, paths: string[], meta?: readonly MetaValue[][]): Promise<void> {
    if (x instanceof Uint8Array) this.stats.addBytes(x.subarray(0, count * this.rowBytes));
    else for (const sums of x.sums) this.stats.addSums(sums);
    let offset = 0;
    while (offset < count) {
      const shard = this.current ?? (await this.open());
      const room = this.spec.shardSize === null ? count - offset : Math.min(count - offset, this.spec.shardSize - shard.rows);
      const end = offset + room;
      await shard.x.write(x instanceof Uint8Array ? x.subarray(offset * this.rowBytes, end * this.rowBytes) : sliceRowList(x, offset, end));
      if (shard.y && y) await shard.y.write(y.subarray(offset * this.yRowBytes, end * this.yRowBytes));
      await shard.paths.write(encodeUnicodeRows(paths.slice(offset, end), this.spec.pathWidth));
      if (shard.meta && meta) await shard.meta.write(meta.slice(offset, end));
      shard.rows += room;
      offset = end;
      if (this.spec.shardSize !== null && shard.rows >= this.spec.shardSize) await this.seal();
    }
  }

  /** Closes the last shard and returns every staged shard, in order. */
  async finish(): Promise<StagedShard[]> {
    if (this.current) await this.seal();
    // An empty subset still yields one (empty) output, so users always find the file they asked for.
    if (this.staged.length === 0) {
      await this.open();
      await this.seal();
    }
    return this.staged;
  }

  async abort(): Promise<void> {
    const shard = this.current;
    this.current = null;
    if (!shard) return;
    await Promise.allSettled([shard.x.abort(), shard.y?.abort(), shard.paths.abort(), shard.meta?.abort()]);
  }

  private async open(): Promise<OpenShard> {
    const dir = join(this.spec.tempDir, `${this.spec.subset}-${String(this.staged.length).padStart(5, '0')}`);
    await mkdir(dir, { recursive: true }).catch((err: Error) => {
      throw new Img2npyError('write-failed', `Cannot create ${dir}: ${err.message}`, { file: dir, cause: err });
    });
    const { npz } = this.spec;
    // The archive sits beside the shard's folder, not in it: publish may remove the folder first.
    const x = npz
      ? await NpzStreamWriter.create(`${dir}.npz`, { ...this.spec.x, name: 'x.npy', compress: npz.compress })
      : await NpyStreamWriter.create(join(dir, 'x.npy'), this.spec.x);
    const y = this.spec.y ? await NpyStreamWriter.create(join(dir, 'y.npy'), this.spec.y) : null;
    const paths = await NpyStreamWriter.create(join(dir, 'paths.npy'), { descr: npyDescr({ unicode: this.spec.pathWidth }), rowShape: [] });
    const meta = this.spec.meta?.length ? await MetaShard.open(dir, this.spec.meta) : null;
    this.current = { dir, rows: 0, x, y, paths, meta };
    return this.current;
  }

  private async seal(): Promise<void> {
    const shard = this.current!;
    try {
      const { x } = shard;
      const streamed = x instanceof NpzStreamWriter ? x : null;
      const names = this.spec.classNames;
      const width = unicodeWidth(names);
      const classFile = join(shard.dir, 'class_names.npy');
      // Separate files, each a few thread-pool round trips: finished together, not one after another.
      const metaFiles = shard.meta?.close();
      await settleAll([
        x instanceof NpzStreamWriter ? undefined : x.close(),
        shard.y?.close(),
        shard.paths.close(),
        writeNpyFile(classFile, npyDescr({ unicode: width }), [names.length], encodeUnicodeRows(names, width)),
        metaFiles,
      ]);
      const files: Record<string, string> = { x: join(shard.dir, 'x.npy') };
      if (shard.y) files.y = join(shard.dir, 'y.npy');
      files.class_names = classFile;
      files.paths = join(shard.dir, 'paths.npy');
      if (metaFiles) Object.assign(files, await metaFiles);
      if (streamed) {
        delete files.x;
        await streamed.close(Object.entries(files).map(([name, file]) => ({ name: `${name}.npy`, file })));
        this.staged.push({ dir: shard.dir, rows: shard.rows, files: {}, archive: streamed.path });
      } else {
        this.staged.push({ dir: shard.dir, rows: shard.rows, files });
      }
    } catch (err) {
      // abort() must still find this shard's writers (open files, a half-written archive).
      await this.abort();
      throw err;
    } finally {
      this.current = null;
    }
  }
}

/** Waits for every one, then throws the first failure: none is still writing when the caller aborts. */
async function settleAll(work: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
