/**
 * The hot loop for one output: decoder threads turn files into finished rows (bounded, in
 * order), this thread batches them through the tensor stage and streams them to the writer. The
 * next batch decodes while the previous one is being written.
 */
import type { Size } from '../../shared/options.js';
import { Img2npyError, toErrorInfo } from '../../shared/errors.js';
import type { DamagedFile, SkippedFile } from '../../shared/report.js';
import { skippableCodes } from '../decode/errors.js';
import type { JobPlan } from './plan.js';
import { encodeLabels } from '../tensor/labels.js';
import { orderedGroups } from './ordered-groups.js';
import { tarGzFeedFor } from '../scan/tar-gz-feed.js';
import type { ProgressEmitter } from './progress.js';
import type { DigestedRows, SubsetWriter } from './subset-writer.js';
import type { TensorStage } from '../tensor/stage.js';
import type { DecodedImage, ScannedFile } from '../types.js';
import type { DecodedOrFailed, DecoderPool } from './worker-pool.js';
import type { DecodeFile, RowDigest } from './worker-messages.js';

export interface SubsetContext {
  plan: JobPlan;
  size: Size;
  decoders: DecoderPool;
  tensor: TensorStage;
  writer: SubsetWriter;
  progress: ProgressEmitter;
  skipped: SkippedFile[];
  /** Files kept although damaged (--allow-damaged), listed in the report and manifest. */
  damaged: DamagedFile[];
  counts: number[];
  numClasses: number;
  signal?: AbortSignal;
}

/** The batch as the threads sent it, when every row came with its digest (JobPlan.rowDigests): x is then written from the rows themselves. */
function digestedRows(images: readonly { data: Uint8Array; digest?: RowDigest }[]): DigestedRows | null {
  if (images.length === 0 || images.some((i) => !i.digest)) return null;
  return { rows: images.map((i) => i.data), crcs: images.map((i) => i.digest!.crc), sums: images.map((i) => i.digest!.sums) };
}

export async function convertSubset(files: ScannedFile[], ctx: SubsetContext): Promise<void> {
  const { plan, tensor, writer, progress, signal, decoders } = ctx;
  const { batchSize, dropRemainder, strict, labelMode } = plan.options;
  // With a Keras-exact resize the threads hand back resized float32 rows; otherwise uint8 images.
  let resized: Float32Array[] = [];
  let images: (DecodedImage & { digest?: RowDigest })[] = [];
  let batchFiles: ScannedFile[] = [];
  let pendingWrite: Promise<void> = Promise.resolve();
  let writeError: unknown = null;
  // Rows that pass through unchanged are gathered into two batch buffers used in turn: batch k is
  // filled while batch k-1 is still being written, and batch k-2's write was awaited before k-1's
  // began. A fresh multi-MB buffer per batch costs a page fault per 4 KiB on first touch, which
  // on VMs (measured here: 2.5 ms per 224x224x3 row) took far longer than the copy itself.
  const recycled = tensor.passesBytesThrough ? [0, 1].map(() => new Uint8Array(batchSize * tensor.rowBytes)) : null;
  // Rows the stage computes on are gathered as float32 the same way (float32 output is a view).
  const floats = tensor.passesBytesThrough ? null : [0, 1].map(() => new Float32Array(batchSize * ctx.size.height * ctx.size.width * plan.channels));
  let batches = 0;

  const flush = async () => {
    const turn = batches++ % 2;
    const digested = tensor.passesBytesThrough ? digestedRows(images) : null;
    const x = digested ?? (plan.tensorResize ? await tensor.processResized(resized, floats?.[turn]) : await tensor.processBatch(images, recycled?.[turn], floats?.[turn]));
    const take = batchFiles;
    const rows: (Uint8Array | Float32Array)[] = plan.tensorResize ? resized : images.map((i) => i.data);
    resized = [];
    images = [];
    batchFiles = [];
    await pendingWrite;
    const y = plan.options.labels === 'none' ? null : encodeLabels(take.map((f) => f.label!), labelMode, ctx.numClasses).bytes;
    // The write overlaps the next batch's decoding; a failure (disk full) is kept and stops the
    // loop at its next image rather than after another whole batch.
    const meta = take[0]?.meta ? take.map((f) => f.meta!) : undefined;
    // Once written, the batch's rows go back to the threads to be filled again: x may still
    // alias a row (a one-row float32 batch), so not before.
    pendingWrite = writer.write(take.length, x, y, take.map((f) => f.rel), meta).then(
      () => decoders.recycle(rows),
      (err: unknown) => {
        writeError = err;
        throw err;
      },
    );
    pendingWrite.catch(() => undefined);
  };

  // Images go to the threads in groups (decodeGroup), sized as the threads' time per image
  // allows (worker-pool groupSize). Padded canvases are as big as the largest image: one per
  // group, and few wait beyond those in flight. Otherwise more may wait, to keep every thread
  // busy past a slow image.
  const rowBytes = plan.padToLargest ? 0 : ctx.size.height * ctx.size.width * plan.channels * (plan.tensorResize ? 4 : 1);
  const concurrency = decoders.capacity;
  const window = plan.padToLargest ? decoders.size : concurrency * 2;
  // A .tar.gz member cannot be read by a thread (no random access): one sequential feed on this
  // thread reads them in the files' order and hands each over; closed however this function ends.
  using feed = tarGzFeedFor(files, { signal });
  // A member the feed cannot hand over (larger than it reads, or gone) fails alone, as a file
  // the threads cannot read would: the rest of its group is decoded.
  const decode = async (group: ScannedFile[]): Promise<DecodedOrFailed[]> => {
    const list: DecodeFile[] = [];
    const unread: (DecodedOrFailed | null)[] = [];
    for (const f of group) {
      let bytes: Buffer | undefined;
      if (feed && f.source?.kind === 'tar.gz') {
        try {
          bytes = await feed.read(f.source, f.abs);
        } catch (err) {
          if (!(err instanceof Img2npyError) || !skippableCodes.has(err.code)) throw err;
          unread.push({ ok: false, error: err });
          continue;
        }
      }
      list.push({ abs: f.abs, source: f.source, bytes });
      unread.push(null);
    }
    const decoded = list.length > 0 ? await decoders.decodeGroup(list, ctx.size) : [];
    let next = 0;
    return unread.map((u) => u ?? decoded[next++]);
  };
  for await (const r of orderedGroups(files, decode, { groupSize: () => decoders.groupSize(rowBytes), concurrency, window, signal })) {
    if (writeError) throw writeError;
    const file = files[r.index];
    // A whole group fails only when its thread died or the pool closed (engine-crashed), or the
    // job was cancelled.
    if (!r.ok) throw r.error;
    const d = r.value;
    if (!d.ok) {
      const info = toErrorInfo(d.error);
      if (!skippableCodes.has(info.code) || strict) throw d.error;
      ctx.skipped.push({ file: file.rel, code: info.code, reason: info.message });
      progress.tick(file.rel, true);
      continue;
    }
    const row = d.row;
    if (row.damage !== undefined) ctx.damaged.push({ file: file.rel, reason: row.damage });
    if (row.kind === 'resized') resized.push(row.data);
    else images.push(row);
    batchFiles.push(file);
    if (file.label !== null) ctx.counts[file.label]++;
    progress.tick(file.rel);
    if (batchFiles.length === batchSize) await flush();
  }
  if (batchFiles.length > 0) {
    if (dropRemainder) {
      for (const f of batchFiles) if (f.label !== null) ctx.counts[f.label]--;
      // Not in x after all: no longer listed as kept. They are the last ones listed.
      const dropped = new Set(batchFiles.map((f) => f.rel));
      while (ctx.damaged.length > 0 && dropped.has(ctx.damaged[ctx.damaged.length - 1].file)) ctx.damaged.pop();
    } else {
      await flush();
    }
  }
  await pendingWrite;
}
