/**
 * Bounds the memory that parallel decodes hold at once. A progressive JPEG cannot be decoded in
 * strips: libjpeg keeps every DCT coefficient of the full-size image (about 2 bytes per sample),
 * so three 20 MP progressive photos in flight took RSS past 400 MB while baseline JPEGs, decoded
 * at DCT scale in strips, need little. Decodes ask the gate for their estimated bytes first and
 * wait, first come first served, while the budget is spent.
 *
 * The state lives in a SharedArrayBuffer, so one gate bounds a whole job: its decoder threads
 * each open the job's buffer (MemoryGate.over) and share one budget, where a gate per thread
 * would have allowed threads × budget. Waiting is Atomics.waitAsync, never a blocking wait: a
 * thread keeps taking messages (and can be terminated) while it waits, and the main thread,
 * where several decodes may wait at once, uses the same code.
 */
export class MemoryGate {
  private readonly state: Int32Array;

  /**
   * A new gate with its own shared state; `shared` opens an existing gate's state instead (see
   * `over`). Budgets are bytes below 2 GiB (Int32 atomics).
   * @throws {RangeError} for a budget that is not a whole number of bytes from 1 to 2^31 - 1.
   */
  constructor(readonly budget: number, shared?: SharedArrayBuffer) {
    if (!Number.isInteger(budget) || budget < 1 || budget > 0x7fffffff) {
      throw new RangeError(`Expected integer between 1 and ${0x7fffffff} for budget but received ${budget}`);
    }
    this.state = new Int32Array(shared ?? new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
    if (!shared) this.state[BUDGET] = budget;
  }

  /**
   * The gate whose state `shared` holds (from another thread's `gate.shared`): same budget, same
   * accounting.
   * @example const gate = MemoryGate.over(message.memory); const release = await gate.acquire(bytes);
   */
  static over(shared: SharedArrayBuffer): MemoryGate {
    return new MemoryGate(new Int32Array(shared)[BUDGET], shared);
  }

  /** The state to hand to other threads (structured clone shares it, never copies it). */
  get shared(): SharedArrayBuffer {
    return this.state.buffer as SharedArrayBuffer;
  }

  /** Requests that took memory so far, all threads together (requests for 0 bytes pass by). */
  get requests(): number {
    return Atomics.load(this.state, NEXT);
  }

  /** Bytes held right now, all threads together. */
  get used(): number {
    return Atomics.load(this.state, USED);
  }

  /** Waits until `bytes` fit (a request above the budget waits to run alone); returns the release. */
  async acquire(bytes: number): Promise<() => void> {
    const need = Math.min(Math.max(0, Math.ceil(bytes)), this.budget);
    if (need === 0) return () => undefined;
    const s = this.state;
    // Tickets keep it first come first served across threads: only the ticket being served may
    // take memory, so a big request is never overtaken for ever by small ones.
    const ticket = Atomics.add(s, NEXT, 1);
    for (let serving = Atomics.load(s, SERVING); serving !== ticket; serving = Atomics.load(s, SERVING)) await changed(s, SERVING, serving);
    // Only the ticket being served adds, so room seen here cannot be taken before the add.
    for (let used = Atomics.load(s, USED); used + need > this.budget; used = Atomics.load(s, USED)) await changed(s, USED, used);
    Atomics.add(s, USED, need);
    Atomics.add(s, SERVING, 1);
    Atomics.notify(s, SERVING);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      Atomics.sub(s, USED, need);
      Atomics.notify(s, USED);
    };
  }
}

const USED = 0;
const NEXT = 1;
const SERVING = 2;
const BUDGET = 3;
const slots = 4;

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Resolves once slot `index` no longer holds `value` (or may not: callers check again). */
async function changed(state: Int32Array, index: number, value: number): Promise<void> {
  if (!waitAsync) {
    // Runtimes before Atomics.waitAsync (Node < 16): look again shortly.
    await new Promise((wake) => setTimeout(wake, 2));
    return;
  }
  const r = waitAsync(state, index, value);
  if (!r.async) return;
  // A pending waitAsync does not keep Node's event loop alive: a thread with nothing else to do
  // would end mid-wait (holding its ticket, so every later waiter hangs). This timer keeps it.
  const alive = setInterval(() => undefined, 60_000);
  try {
    await r.value;
  } finally {
    clearInterval(alive);
  }
}

/**
 * One budget for what big JPEG decodes hold at once (see jpegDecodeCost). Measured on the
 * benchmark photos (3 decoders, 2 cores): no gate 415 MB peak at 20.5 img/s; 256 MB lets two
 * 20 MP progressive decodes overlap: 330 MB at the same speed; 160 MB: 225 MB but 22 % slower.
 */
export const decodeMemoryBudget = 256 * 1024 * 1024;

let current: MemoryGate | null = null;

/** The gate this thread's decodes take: the job's shared one in a decoder thread, else one per process. */
export function decodeMemory(): MemoryGate {
  current ??= new MemoryGate(decodeMemoryBudget);
  return current;
}

/** Makes this thread's decodes take the job's gate (decode-worker.ts, with the job's plan). */
export function shareDecodeMemory(shared: SharedArrayBuffer): void {
  current = MemoryGate.over(shared);
}

export interface JpegFrame {
  width: number;
  height: number;
  components: number;
  progressive: boolean;
}

/** The frame header (SOF) of a JPEG: size, components, progressive or not; null if not found. */
export function jpegFrame(buf: Uint8Array): JpegFrame | null {
  let at = 2; // after SOI
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) return null;
    const marker = buf[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    // SOF markers: C0-CF except C4 (DHT), C8 (JPG) and CC (DAC). Progressive: C2, C6, CA, CE.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 10 > buf.length) return null;
      return {
        height: (buf[at + 5] << 8) | buf[at + 6],
        width: (buf[at + 7] << 8) | buf[at + 8],
        components: buf[at + 9],
        progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
      };
    }
    if (marker === 0xda) return null; // a scan before any frame header
    at += 2 + ((buf[at + 2] << 8) | buf[at + 3]);
  }
  return null;
}

/**
 * Bytes a JPEG decode holds beyond its output: the full-size coefficients of a progressive JPEG
 * (~2 bytes per sample), on both paths (TurboJPEG keeps them as libvips's libjpeg does, whatever
 * the DCT scale). Baseline JPEGs are decoded in strips and count as nothing. Output pixels are not
 * counted, not even Keras mode's full-size 60 MB of a 20 MP photo: each decoder thread holds one
 * image at a time, so they are bounded by the thread count (--jobs) as any per-image buffer is,
 * while gating them would cap a 16-core machine at 4 such decodes in flight (256 MB / 60 MB); it
 * halved Keras mode's speed on 20 MP photos when measured with 3 decoders.
 */
export function jpegDecodeCost(frame: JpegFrame | null): number {
  if (!frame || !frame.progressive) return 0;
  return frame.width * frame.height * frame.components * 2;
}
