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
import { giveRowBuffer, takeRowBytes, takeRowFloats } from '../geometry/row-buffers.js';
import { decodeForJob } from './decode-files.js';
import { shareDecodeMemory } from '../decode/memory-gate.js';
import type { JobPlan } from './plan.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

type DecodeRequest = Extract<ToWorker, { type: 'decode' }>;

const port = parentPort;
if (!port) throw new Error('decode-worker.ts runs as a worker thread of a job');

let plan: JobPlan | null = null;
const queue: DecodeRequest[] = [];
let draining = false;

port.on('message', (message: ToWorker) => {
  if (message.type === 'plan') {
    plan = message.plan;
    shareDecodeMemory(message.memory);
    return;
  }
  queue.push(message);
  if (!draining) void drain();
});

async function drain(): Promise<void> {
  draining = true;
  for (let next = queue.shift(); next; next = queue.shift()) post(await decodeOne(next));
  draining = false;
}

async function decodeOne(request: DecodeRequest): Promise<FromWorker> {
  const { id, abs, size, source, bytes, spare } = request;
  if (spare) giveRowBuffer(spare);
  try {
    if (!plan) throw new Error('decoder thread got an image before the job plan');
    const image = await decodeForJob({ abs, rel: abs, label: null, source }, plan, size, bytes);
    const { damage } = image;
    if (!plan.tensorResize) {
      // The row leaves this thread: scratch pixels are copied into a row buffer of their own.
      const data = image.transient ? takeRowBytes(image.data.length) : image.data;
      if (data !== image.data) data.set(image.data);
      return { type: 'image', id, data, width: image.width, height: image.height, channels: image.channels, damage };
    }
    const row = takeRowFloats(size.height * size.width * plan.channels);
    kerasResize(image, { height: size.height, width: size.width, ...plan.tensorResize }, row, 0);
    return { type: 'resized', id, data: row, damage };
  } catch (err) {
    return { type: 'failed', id, error: toErrorInfo(err) };
  }
}

/**
 * Hands the pixels over without a copy when they own their whole ArrayBuffer; a view into a
 * larger or untransferable buffer (Node's Buffer pool, a native addon's memory) is copied once.
 */
function post(message: FromWorker): void {
  if (message.type === 'failed') {
    port!.postMessage(message);
    return;
  }
  const data = message.data;
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
    try {
      port!.postMessage(message, [data.buffer as ArrayBuffer]);
      return;
    } catch {
      // Untransferable (marked so by its owner): fall through to the copy.
    }
  }
  const copy = message.type === 'image' ? { ...message, data: new Uint8Array(message.data) } : { ...message, data: new Float32Array(message.data) };
  port!.postMessage(copy, [copy.data.buffer]);
}
