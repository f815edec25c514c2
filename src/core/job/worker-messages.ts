/**
 * What the job's main thread and its decoder threads (decode-worker.ts) say to each other. Pixel
 * buffers travel as transferred ArrayBuffers, never copied.
 */
import type { ErrorInfo } from '../../shared/errors.js';
import type { Size } from '../../shared/options.js';
import type { JobPlan } from './plan.js';
import type { EntrySource } from '../types.js';

export type ToWorker =
  /** `memory`: the job's decode memory gate (memory-gate.ts), one budget for all its threads. */
  /** `current`: one int32 where the thread writes the id of the request it is decoding. */
  | { type: 'plan'; plan: JobPlan; memory: SharedArrayBuffer; current: SharedArrayBuffer }
  /**
   * `bytes`: the image's bytes when the thread cannot read them itself (a .tar.gz member, which
   * only the job's one sequential reader can reach); transferred, never copied. `spare`: a row
   * buffer the main thread is done with, for this thread to fill again (geometry/row-buffers.ts).
   */
  | { type: 'decode'; requests: DecodeRequest[] };

/**
 * One image to decode. Requests made in one turn of the main thread's event loop travel in one
 * message, and a thread answers several at once: per-message costs (~10 µs each side, plus a
 * wake-up) outweighed decoding a 32×32 PNG when every image had its own.
 */
export interface DecodeRequest {
  id: number;
  abs: string;
  size: Size;
  source?: EntrySource;
  bytes?: Uint8Array;
  spare?: ArrayBuffer;
}

/**
 * 'image': HWC uint8 pixels at the job's size (or the decoded size when the tensor stage resizes).
 * 'resized': a Keras-exact resized row (height × width × channels float32), ready for the tensor stage.
 * `damage`: set when the file was kept although damaged (--allow-damaged): what libjpeg reported.
 */
export type DecodeResult =
  | { type: 'image'; id: number; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4; damage?: string }
  | { type: 'resized'; id: number; data: Float32Array; damage?: string }
  | { type: 'failed'; id: number; error: ErrorInfo };

/**
 * Rows smaller than this share one buffer per message (each result a view of its part), so they
 * are not handed back as spares either: only whole buffers are (worker-pool recycle).
 */
export const packRowsBelow = 64 * 1024;

/** Results in the order decoded; their pixel buffers are in the message's transfer list. */
export type FromWorker = { type: 'results'; results: DecodeResult[] };

/** A finished row as the main thread receives it. */
export type WorkerRow =
  | { kind: 'image'; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4; damage?: string }
  | { kind: 'resized'; data: Float32Array; damage?: string };
