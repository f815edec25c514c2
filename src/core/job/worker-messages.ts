/**
 * What the job's main thread and its decoder threads (decode-worker.ts) say to each other. Pixel
 * buffers travel as transferred ArrayBuffers, never copied.
 */
import type { ErrorInfo } from '../../shared/errors.js';
import type { Size } from '../../shared/options.js';
import type { JobPlan } from './plan.js';
import type { EntrySource } from '../types.js';
import type { ChannelSums } from '../arrays/uint8-sums.js';

export type ToWorker =
  /** `memory`: the job's decode memory gate (memory-gate.ts), one budget for all its threads. */
  /** `current`: two int32s where the thread writes the group and the file in it it is decoding. */
  | { type: 'plan'; plan: JobPlan; memory: SharedArrayBuffer; current: SharedArrayBuffer }
  | { type: 'decode'; requests: DecodeRequest[] };

/**
 * A group of images to decode, in order, answered as one. Small rows go many to a group, so the
 * main thread handles one request, one answer and one promise per group instead of per image:
 * with 32×32 PNGs that per-image handling, not decoding, set the pace. Requests made in one turn
 * of the main thread's event loop travel in one message.
 * `spares`: row buffers the main thread is done with, for this thread to fill again, and
 * `slabs`: buffers small rows were packed into, once all their rows are written
 * (geometry/row-buffers.ts).
 */
export interface DecodeRequest {
  id: number;
  files: DecodeFile[];
  size: Size;
  spares?: ArrayBuffer[];
  slabs?: ArrayBuffer[];
}

/**
 * `bytes`: the image's bytes when the thread cannot read them itself (a .tar.gz member, which
 * only the job's one sequential reader can reach); transferred, never copied.
 */
export interface DecodeFile {
  abs: string;
  source?: EntrySource;
  bytes?: Uint8Array;
}

/**
 * What a decoder thread learns of a row while it is in its cache, when the row is x's bytes as
 * written (JobPlan.rowDigests): zip's CRC-32 of its bytes and its per-channel sums, so the main
 * thread neither copies, check-sums nor sums the rows it writes.
 */
export interface RowDigest {
  crc: number;
  sums: ChannelSums;
}

/**
 * 'image': HWC uint8 pixels at the job's size (or the decoded size when the tensor stage resizes).
 * 'resized': a Keras-exact resized row (height × width × channels float32), ready for the tensor stage.
 * `damage`: set when the file was kept although damaged (--allow-damaged): what libjpeg reported.
 */
export type DecodeResult =
  | { type: 'image'; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4; damage?: string; digest?: RowDigest }
  | { type: 'resized'; data: Float32Array; damage?: string }
  | { type: 'failed'; error: ErrorInfo };

/** A group's results, one per file in its order; `ms`: the thread's time on the group. */
export interface GroupResult {
  id: number;
  results: DecodeResult[];
  ms: number;
}

/**
 * Rows smaller than this share one buffer per message, a slab (each result a view of its part):
 * the slab goes back to the threads once its last row is recycled (worker-pool recycle).
 */
export const packRowsBelow = 64 * 1024;

/** Groups in the order decoded; their pixel buffers are in the message's transfer list. */
export type FromWorker = { type: 'results'; groups: GroupResult[] };

/** A finished row as the main thread receives it. */
export type WorkerRow =
  | { kind: 'image'; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4; damage?: string; digest?: RowDigest }
  | { kind: 'resized'; data: Float32Array; damage?: string };
