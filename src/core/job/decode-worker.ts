/**
 * One decoder thread of a job (started by worker-pool.ts). It reads, sniffs, decodes, orients
 * and resizes/crops/pads whole images — and, for Keras-exact resizing, resizes them too — so the
 * per-image JavaScript work and the synchronous native decoders run on every core while the
 * main thread only batches, normalises and writes. One image at a time: memory per thread is
 * one image's, and queued requests are only paths.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../../shared/errors.js';
import { kerasResize } from '../tensor/resize.js';
import { giveRowBuffer, giveSlab, takeRowBytes, takeRowFloats, takeSlab } from '../geometry/row-buffers.js';
import { decodeForJob } from './decode-files.js';
import { shareDecodeMemory } from '../decode/memory-gate.js';
import type { JobPlan } from './plan.js';
import type { Size } from '../../shared/options.js';
import { type DecodeFile, type DecodeRequest, type DecodeResult, type FromWorker, type GroupResult, type RowDigest, type ToWorker, packRowsBelow } from './worker-messages.js';
import { crc32 } from '../arrays/npy-io.js';
import { uint8ChannelSums } from '../arrays/uint8-sums.js';

const port = parentPort;
if (!port) throw new Error('decode-worker.ts runs as a worker thread of a job');

let plan: JobPlan | null = null;
/** Where the main thread reads which group and file this thread is on, to name it if the thread dies. */
let current: Int32Array | null = null;
const queue: DecodeRequest[] = [];
let draining = false;

port.on('message', (message: ToWorker) => {
  if (message.type === 'plan') {
    plan = message.plan;
    shareDecodeMemory(message.memory);
    current = new Int32Array(message.current);
    return;
  }
  for (const r of message.requests) queue.push(r);
  if (!draining) void drain();
});

/**
 * Answers wait here until the queue runs dry or they add up, then leave in one message: small
 * groups share a message, while a large one (≥ postBytes) leaves at once so no thread idles.
 */
const postBytes = 256 * 1024;
const postCount = 16;
let outbox: GroupResult[] = [];
let outboxBytes = 0;

async function drain(): Promise<void> {
  draining = true;
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (next.spares) for (const b of next.spares) giveRowBuffer(b);
    if (next.slabs) for (const b of next.slabs) giveSlab(b);
    const began = performance.now();
    const results: DecodeResult[] = [];
    for (let i = 0; i < next.files.length; i++) {
      if (current) {
        // The file first: whoever reads the group then reads a file of that group.
        Atomics.store(current, 1, i);
        Atomics.store(current, 0, next.id);
      }
      const result = await decodeOne(next.files[i], next.size);
      results.push(result);
      if (result.type !== 'failed') outboxBytes += result.data.byteLength;
    }
    // Between groups the thread is on no file: a crash now (building a message) names none of them.
    if (current) Atomics.store(current, 0, -1);
    outbox.push({ id: next.id, results, ms: performance.now() - began });
    if (queue.length === 0 || outboxBytes >= postBytes || outbox.length >= postCount) post();
  }
  draining = false;
}

async function decodeOne({ abs, source, bytes }: DecodeFile, size: Size): Promise<DecodeResult> {
  try {
    if (!plan) throw new Error('decoder thread got an image before the job plan');
    const image = await decodeForJob({ abs, rel: abs, label: null, source }, plan, size, bytes);
    const { damage } = image;
    if (!plan.tensorResize) {
      // The row leaves this thread: scratch pixels are copied into a row buffer of their own.
      const data = image.transient ? takeRowBytes(image.data.length) : image.data;
      if (data !== image.data) data.set(image.data);
      return { type: 'image', data, width: image.width, height: image.height, channels: image.channels, damage, digest: plan.rowDigests ? digestOf(data, image.channels) : undefined };
    }
    const row = takeRowFloats(size.height * size.width * plan.channels);
    kerasResize(image, { height: size.height, width: size.width, ...plan.tensorResize }, row, 0);
    return { type: 'resized', data: row, damage };
  } catch (err) {
    return { type: 'failed', error: toErrorInfo(err) };
  }
}

const digestRowsFrom = 16 * 1024;

/**
 * The row's CRC-32 and channel sums, taken here while its bytes are in this core's cache. Rows
 * under `digestRowsFrom` go without: the main thread gathers, sums and check-sums a batch of
 * those in one pass for less than a digest per row costs (measured on 32×32 PNGs: +4 % CPU).
 */
function digestOf(data: Uint8Array, channels: 1 | 3 | 4): RowDigest | undefined {
  if (data.byteLength < digestRowsFrom) return undefined;
  const sums = uint8ChannelSums(data, channels);
  return sums ? { crc: crc32(data), sums } : undefined;
}

/**
 * Hands the pixels over without a copy when they own their whole ArrayBuffer; a view into a
 * larger buffer is copied once, and so is everything in a message whose transfer was refused
 * (a buffer its owner marked untransferable, such as Node's Buffer pool: rare).
 */
function post(): void {
  const groups = outbox;
  outbox = [];
  outboxBytes = 0;
  // Each group's results keep their order; packing works on all of the message's rows at once.
  const all = packSmallRows(groups.flatMap((g) => g.results));
  let at = 0;
  const regrouped = groups.map((g) => ({ id: g.id, results: all.slice(at, (at += g.results.length)), ms: g.ms }));
  try {
    send(regrouped);
  } catch {
    send(regrouped.map((g) => ({ ...g, results: g.results.map((r) => (r.type === 'failed' ? r : copied(r))) })));
  }
}

/**
 * Rows under `packRowsBelow` travel together: copied into one buffer (a slab, which the main
 * thread hands back once all its rows are written), each result a view of its part, so a message
 * moves one buffer instead of one per row. Moving a buffer costs ~4-8 µs a side whatever its
 * size (measured), more than decoding a 32×32 PNG's row is worth; their own buffers stay here
 * for the next rows. Every other row travels in a buffer of its own: a view into a larger one is
 * copied first.
 */
function packSmallRows(results: DecodeResult[]): DecodeResult[] {
  let bytes = 0;
  let small = 0;
  for (const r of results) {
    if (r.type !== 'failed' && r.data.byteLength < packRowsBelow) {
      bytes += align4(r.data.byteLength);
      small++;
    }
  }
  // One small row alone gains nothing from a shared buffer.
  const slab = small >= 2 ? takeSlab(bytes) : null;
  let at = 0;
  return results.map((r) => {
    if (r.type === 'failed') return r;
    if (!slab || r.data.byteLength >= packRowsBelow) return ownsBuffer(r.data) ? r : copied(r);
    const part = new Uint8Array(slab, at, r.data.byteLength);
    part.set(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
    if (ownsBuffer(r.data)) giveRowBuffer(r.data.buffer as ArrayBuffer);
    const data = r.type === 'image' ? part : new Float32Array(slab, at, r.data.length);
    at += align4(r.data.byteLength);
    return { ...r, data } as DecodeResult;
  });
}

/** Parts start on 4-byte boundaries: a float32 row's view needs it. */
const align4 = (n: number): number => (n + 3) & ~3;

/** Posts `results`, moving every pixel buffer (throws, moving none, when one cannot be moved). */
function send(groups: GroupResult[]): void {
  const moved = new Set<ArrayBuffer>();
  for (const g of groups) for (const r of g.results) if (r.type !== 'failed') moved.add(r.data.buffer as ArrayBuffer);
  port!.postMessage({ type: 'results', groups } satisfies FromWorker, [...moved]);
}

function ownsBuffer(data: Uint8Array | Float32Array): boolean {
  return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}

function copied(r: Exclude<DecodeResult, { type: 'failed' }>): DecodeResult {
  return r.type === 'image' ? { ...r, data: new Uint8Array(r.data) } : { ...r, data: new Float32Array(r.data) };
}
