/**
 * The job's decoder threads: N workers (decode-worker.ts), each decoding whole images one at a
 * time, with up to `queueDepth` requests waiting per worker so none idles while a result travels
 * back. Ordering, backpressure and cancellation stay with orderedGroups on the main thread; this
 * only routes requests and turns a dead thread into an error that names the file, never a hang.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Size } from '../../shared/options.js';
import { Img2npyError, fromErrorInfo } from '../../shared/errors.js';
import type { JobPlan } from './plan.js';
import { MemoryGate, decodeMemoryBudget } from '../decode/memory-gate.js';
import type { EntrySource } from '../types.js';
import type { DecodeFile, DecodeRequest, FromWorker, ToWorker, WorkerRow } from './worker-messages.js';
import { ImageTimes } from './image-times.js';

interface Pending {
  files: string[];
  resolve: (rows: DecodedOrFailed[]) => void;
  reject: (err: unknown) => void;
}

/** One file's answer in a group: its row, or the error its decoder threw (code and file kept). */
export type DecodedOrFailed = { ok: true; row: WorkerRow } | { ok: false; error: Img2npyError };

interface Thread {
  worker: Worker;
  /** Groups sent and not answered, oldest first: the first is the one being decoded. */
  pending: Map<number, Pending>;
  /** Files in those groups: the least busy thread is the one with fewest. */
  pendingFiles: number;
  exited: boolean;
  /** Whether the thread has answered a group yet (its first carries its start-up: image-times.ts). */
  answered: boolean;
  /** Requests made this turn, not yet sent, and the buffers they move. */
  outbox: DecodeRequest[];
  moved: ArrayBuffer[];
  /** The group the thread is decoding (-1 before its first) and the file in it (written by the thread). */
  current: Int32Array<SharedArrayBuffer>;
}

/** Slabs kept for the threads, beyond those out with them: a few per thread's messages in flight. */
const maxSlabs = 16;

/** Row buffers kept for reuse (worker-pool recycle): ~400 rows of 224×224×3, ~100 float32 ones. */
const maxSpareBytes = 64 * 1024 * 1024;

/**
 * Groups (decodeGroup) hold as many images as take a thread about `groupMs`, by the time per
 * image measured so far, and at most `groupBytes` of rows (and maxGroupSize images). Moving a
 * message costs tens of µs a side whatever it holds (measured: one 224x224 row per message 38 µs,
 * four 19 µs, sixteen 6 µs per row), and each group is one request, answer and promise on the
 * job's loop; but a group is decoded by one thread, so large photos go one at a time, or a
 * thread would be left with a long group at the end while the others idle.
 */
const groupMs = 6;
const groupBytes = 1024 * 1024;
const maxGroupSize = 64;
/**
 * Rows all groups in flight or waiting may hold together (3 × capacity groups: orderedGroups'
 * concurrency and window), so that memory stays flat in the number of threads: with many
 * threads, groups shrink, down to one row.
 */
const inFlightBytes = 48 * 1024 * 1024;

/**
 * Images per group for rows of `rowBytes` (0: unknown) when a thread takes `msPerImage` each
 * (null: not measured yet): one until measured, then ~`groupMs` of work, at most `groupBytes`
 * (and `maxBytes`) of rows and maxGroupSize images.
 * @example groupSizeFor(224 * 224 * 3, 1.5); // 4
 */
export function groupSizeFor(rowBytes: number, msPerImage: number | null, maxBytes = groupBytes): number {
  if (!(rowBytes > 0) || msPerImage === null) return 1;
  const byBytes = Math.max(1, Math.min(maxGroupSize, Math.floor(Math.min(groupBytes, maxBytes) / rowBytes)));
  return Math.max(1, Math.min(byBytes, Math.floor(groupMs / Math.max(msPerImage, 1e-3))));
}

/** Requests waiting per worker beyond the one it decodes: hides the message round trip. */
export const queueDepth = 2;

let liveThreads = 0;

/** Decoder threads alive in this process right now (all pools): tests prove pools end theirs. */
export function liveDecoderThreads(): number {
  return liveThreads;
}

/**
 * Where the worker entry is: next to this module (tsc's out/node, or src under tsx), or one
 * folder up when a bundler put this module in a chunks/ folder (electron-vite's out/main).
 */
function workerEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const file of [join(here, 'decode-worker.js'), join(here, 'decode-worker.ts'), join(here, '..', 'decode-worker.js')]) {
    if (existsSync(file)) return file;
  }
  throw new Img2npyError('internal', `The decoder thread's entry (decode-worker.js) is missing next to ${here}`);
}

/**
 * Under tsx (tests, `npm run bench` helpers) a worker does not inherit the TypeScript loader, so
 * the thread first registers tsx's ESM hooks, then imports the entry.
 */
function spawnWorker(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
  return new Worker(boot, { eval: true });
}

export class DecoderPool {
  private readonly threads: Thread[] = [];
  /** One decode memory budget for all of this pool's threads (a gate each would allow size × budget). */
  readonly memory: MemoryGate;
  private nextId = 0;
  /** Row buffers the job is done with, sent back to the threads with requests (row-buffers.ts). */
  private readonly spares: ArrayBuffer[] = [];
  private spareBytes = 0;
  /** Rows not yet recycled per slab (a buffer the threads packed several small rows into). */
  private readonly slabRows = new Map<ArrayBufferLike, number>();
  /** Slabs whose rows are all recycled, for the threads to pack into again (row-buffers takeSlab). */
  private readonly slabs: ArrayBuffer[] = [];
  private sendQueued = false;
  private failure: Img2npyError | null = null;
  private closing = false;
  private readonly times = new ImageTimes();

  /** A thread's time per image, averaged over the groups answered so far (null before the first). */
  get msPerImage(): number | null {
    return this.times.msPerImage;
  }

  /**
   * Starts `size` decoder threads at once, so they load their modules while the main thread
   * scans; `plan` may follow later (setPlan), before the first decode. `entry` replaces the
   * worker module (tests use one that crashes); `memoryBudget` is the threads' one decode memory
   * budget (memory-gate.ts).
   * @example const pool = new DecoderPool(4, { plan }); const row = await pool.decode(file.abs, size);
   */
  constructor(readonly size: number, { plan, entry = workerEntry(), memoryBudget = decodeMemoryBudget }: { plan?: JobPlan; entry?: string; memoryBudget?: number } = {}) {
    this.memory = new MemoryGate(memoryBudget);
    for (let i = 0; i < Math.max(1, size); i++) this.threads.push(this.startThread(entry));
    if (plan) this.setPlan(plan);
  }

  /** The job's plan, sent to every thread; messages keep their order, so decodes after it see it. */
  setPlan(plan: JobPlan): void {
    for (const t of this.threads) if (!t.exited) t.worker.postMessage({ type: 'plan', plan, memory: this.memory.shared, current: t.current.buffer } satisfies ToWorker);
  }

  /** Groups in flight, all threads together: orderedGroups' concurrency should not exceed it. */
  get capacity(): number {
    return this.threads.length * (1 + queueDepth);
  }

  /**
   * Images for the next group of rows of `rowBytes` each (0: unknown, one at a time): one until
   * a group has come back, then as many as take a thread ~6 ms, at most 1 MiB of rows, and less
   * with many threads (inFlightBytes).
   * @example const size = pool.groupSize(32 * 32 * 3); // 1 at first, later e.g. 64
   */
  groupSize(rowBytes: number): number {
    return groupSizeFor(rowBytes, this.msPerImage, this.maxGroupBytes);
  }

  /** Rows one group may hold: 1 MiB, less with many threads so all groups together stay under inFlightBytes. */
  get maxGroupBytes(): number {
    return Math.min(groupBytes, Math.floor(inFlightBytes / (3 * this.capacity)));
  }

  /**
   * Decodes one file on the least busy thread (decodeGroup for one).
   * @throws the decoder's Img2npyError (rebuilt from the thread, code and file kept), or
   *   `engine-crashed` naming the file when its thread died, or when the pool is closed.
   */
  async decode(abs: string, size: Size, source?: EntrySource, bytes?: Uint8Array): Promise<WorkerRow> {
    const [r] = await this.decodeGroup([{ abs, source, bytes }], size);
    if (!r.ok) throw r.error;
    return r.row;
  }

  /**
   * Decodes `files` in order on the least busy thread, answered together: one result per file,
   * a row or the error its decoder threw. `bytes`: a file's bytes when the thread cannot read
   * them itself (a .tar.gz member); transferred to the thread, so the caller gives them up.
   * @throws `engine-crashed` naming the file being decoded when the thread died, or when the pool is closed.
   */
  decodeGroup(files: readonly DecodeFile[], size: Size): Promise<DecodedOrFailed[]> {
    const names = files.map((f) => f.abs);
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Img2npyError('engine-crashed', `Decoder threads were stopped before ${names[0]} was decoded`, { file: names[0] }));
    let thread = this.threads[0];
    for (const t of this.threads) if (t.pendingFiles < thread.pendingFiles) thread = t;
    const id = this.nextId++;
    return new Promise<DecodedOrFailed[]>((resolve, reject) => {
      thread.pending.set(id, { files: names, resolve, reject });
      thread.pendingFiles += names.length;
      const spares: ArrayBuffer[] = [];
      for (let i = 0; i < files.length && this.spares.length > 0; i++) {
        const spare = this.spares.pop()!;
        this.spareBytes -= spare.byteLength;
        spares.push(spare);
      }
      // One slab a request: a thread packs one per message.
      const slabs = this.slabs.length > 0 ? [this.slabs.pop()!] : [];
      thread.outbox.push({ id, files: [...files], size, ...(spares.length > 0 ? { spares } : {}), ...(slabs.length > 0 ? { slabs } : {}) });
      // A view into a larger buffer (a pooled Buffer) travels as a copy; a whole buffer is moved.
      for (const f of files) {
        const b = f.bytes;
        if (b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) thread.moved.push(b.buffer);
      }
      thread.moved.push(...spares, ...slabs);
      // Requests made in this turn (orderedGroups starts several at once) leave in one message.
      if (!this.sendQueued) {
        this.sendQueued = true;
        queueMicrotask(() => this.send());
      }
    });
  }

  private send(): void {
    this.sendQueued = false;
    for (const t of this.threads) {
      if (t.outbox.length === 0) continue;
      const requests = t.outbox;
      const moved = t.moved;
      t.outbox = [];
      t.moved = [];
      if (!t.exited) t.worker.postMessage({ type: 'decode', requests } satisfies ToWorker, moved);
    }
  }

  /**
   * Takes back rows' buffers once their pixels are in a batch, for the threads to fill again.
   * The caller must not touch them afterwards: they are moved to a thread with a later request.
   */
  recycle(rows: readonly { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }[]): void {
    for (const r of rows) {
      const b = r.buffer;
      const left = this.slabRows.get(b);
      if (left !== undefined) {
        // A slab goes back only with its last row: the others may still be in a batch.
        if (left > 1) {
          this.slabRows.set(b, left - 1);
          continue;
        }
        this.slabRows.delete(b);
        if (b instanceof ArrayBuffer && this.slabs.length < maxSlabs) this.slabs.push(b);
        continue;
      }
      // Enough for every row a job holds at once (those in flight, waiting, in the batch and in
      // the write): fewer, and each batch starts with fresh buffers again. The rest of the list
      // is still read: a slab's row in it must be counted.
      if (this.spareBytes + b.byteLength > maxSpareBytes) continue;
      if (b instanceof ArrayBuffer && r.byteOffset === 0 && r.byteLength === b.byteLength && b.byteLength > 0) {
        this.spares.push(b);
        this.spareBytes += b.byteLength;
      }
    }
  }

  /** Ends every thread (idempotent); requests still waiting are rejected, never left hanging. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private startThread(entry: string): Thread {
    const worker = spawnWorker(entry);
    liveThreads++;
    const thread: Thread = { worker, pending: new Map(), pendingFiles: 0, exited: false, answered: false, outbox: [], moved: [], current: new Int32Array(new SharedArrayBuffer(8)).fill(-1) };
    worker.on('message', (message: FromWorker) => {
      for (const g of message.groups) {
        const p = thread.pending.get(g.id);
        if (!p) continue;
        thread.pending.delete(g.id);
        thread.pendingFiles -= p.files.length;
        this.times.add(g.ms / Math.max(1, p.files.length), !thread.answered);
        thread.answered = true;
        p.resolve(
          g.results.map((m): DecodedOrFailed => {
            if (m.type === 'failed') return { ok: false, error: fromErrorInfo(m.error) };
            // A small row is a view into a slab shared with others: counted, so recycle hands
            // the slab back with its last row.
            if (m.data.byteLength !== m.data.buffer.byteLength) this.slabRows.set(m.data.buffer, (this.slabRows.get(m.data.buffer) ?? 0) + 1);
            if (m.type === 'resized') return { ok: true, row: { kind: 'resized', data: m.data, damage: m.damage } };
            return { ok: true, row: { kind: 'image', data: m.data, width: m.width, height: m.height, channels: m.channels, damage: m.damage, digest: m.digest } };
          }),
        );
      }
    });
    worker.on('error', (err) => this.crashed(thread, err));
    worker.on('exit', (code) => {
      thread.exited = true;
      liveThreads--;
      if (!this.closing) this.crashed(thread, new Error(`exited with code ${code}`));
      // Closing: requests still out are answered with the closing error so no caller waits forever.
      this.rejectAll(thread, (file) => this.failure ?? new Img2npyError('engine-crashed', `Decoder threads were stopped before ${file} was decoded`, { file }));
    });
    return thread;
  }

  /** A thread died (uncaught error, out of memory): its current file is named, the job stops. */
  private crashed(thread: Thread, err: Error): void {
    if (this.failure || this.closing) return;
    // The thread says which group and file it is on (answers wait to be sent together, so the
    // oldest unanswered group may already be decoded); before its first one, the oldest.
    const on = Atomics.load(thread.current, 0);
    const index = Atomics.load(thread.current, 1);
    const current = (on >= 0 ? thread.pending.get(on)?.files[index] : undefined) ?? thread.pending.values().next().value?.files[0];
    const where = current ? ` while decoding ${current}` : '';
    this.failure = new Img2npyError('engine-crashed', `A decoder thread crashed${where}: ${err.message}`, { file: current, cause: err });
    this.rejectAll(thread, () => this.failure!);
  }

  private rejectAll(thread: Thread, error: (file: string) => unknown): void {
    for (const [id, p] of thread.pending) {
      thread.pending.delete(id);
      thread.pendingFiles -= p.files.length;
      p.reject(error(p.files[0]));
    }
  }
}

/**
 * A pool started before the job's modules load (prestartDecoders), waiting to be adopted. A
 * decoder thread takes 100-200 ms to boot and load its module; started when the conversion is
 * asked for rather than once the engine's ~70 modules are loaded and the options planned, that
 * time overlaps the loading instead of following it.
 */
let prestarted: DecoderPool | null = null;

/**
 * Starts `jobs` decoder threads (default: one per core) for a conversion about to begin, unless
 * some are already waiting; nothing for a value the option check would refuse.
 * @example prestartDecoders(job.options.jobs); // then load the conversion's modules and convert
 */
export function prestartDecoders(jobs: number | null | undefined, cores = availableParallelism()): void {
  const size = jobs ?? cores;
  if (prestarted || !Number.isInteger(size) || size < 1 || size > 256) return;
  prestarted = new DecoderPool(size);
}

/** The prestarted pool when it has `size` threads (given `plan`), else a new one; one waiting with another size is closed. */
export function adoptDecoders(size: number, plan: JobPlan): DecoderPool {
  const waiting = prestarted;
  prestarted = null;
  if (waiting && waiting.size === Math.max(1, size)) {
    waiting.setPlan(plan);
    return waiting;
  }
  void waiting?.close();
  return new DecoderPool(size, { plan });
}

/** Closes a prestarted pool no job adopted (the job failed before it started): no thread outlives the call. */
export async function discardPrestarted(): Promise<void> {
  const waiting = prestarted;
  prestarted = null;
  await waiting?.close();
}
