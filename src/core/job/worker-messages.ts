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
  | { type: 'plan'; plan: JobPlan; memory: SharedArrayBuffer }
  /**
   * `bytes`: the image's bytes when the thread cannot read them itself (a .tar.gz member, which
   * only the job's one sequential reader can reach); transferred, never copied. `spare`: a row
   * buffer the main thread is done with, for this thread to fill again (geometry/row-buffers.ts).
   */
  | { type: 'decode'; id: number; abs: string; size: Size; source?: EntrySource; bytes?: Uint8Array; spare?: ArrayBuffer };

/**
 * 'image': HWC uint8 pixels at the job's size (or the decoded size when the tensor stage resizes).
 * 'resized': a Keras-exact resized row (height × width × channels float32), ready for the tensor stage.
 * `damage`: set when the file was kept although damaged (--allow-damaged): what libjpeg reported.
 */
export type FromWorker =
  | { type: 'image'; id: number; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4; damage?: string }
  | { type: 'resized'; id: number; data: Float32Array; damage?: string }
  | { type: 'failed'; id: number; error: ErrorInfo };

/** A finished row as the main thread receives it. */
export type WorkerRow =
  | { kind: 'image'; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4; damage?: string }
  | { kind: 'resized'; data: Float32Array; damage?: string };
