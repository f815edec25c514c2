/**
 * Buffers for finished rows, used again instead of allocated afresh. A decoder thread hands each
 * row to the main thread (transferred), and the main thread, once the row is in a batch, hands
 * the buffer back with a later request. Without this every row is a fresh allocation, and a fresh
 * page costs a fault on first touch: measured on this project's VMs at ~50 µs per 4 KiB, so
 * 2.5 ms per 224×224×3 row, more than decoding the typical JPEG it holds.
 *
 * Per thread (module state): the main thread never receives spares, so there it allocates as
 * before; nothing here is shared between threads.
 */

/** Spares kept beyond this are dropped: rows of one job all have one size, a few suffice. */
const maxSpares = 16;
const spares: ArrayBuffer[] = [];

/**
 * A row buffer of exactly `byteLength` bytes that the caller owns (a whole ArrayBuffer, so it
 * can be transferred); its contents are whatever it last held.
 * @example const row = takeRowBytes(224 * 224 * 3); row.set(pixels);
 */
export function takeRowBytes(byteLength: number): Uint8Array {
  for (let i = spares.length - 1; i >= 0; i--) {
    if (spares[i].byteLength === byteLength) return new Uint8Array(spares.splice(i, 1)[0]);
  }
  return new Uint8Array(byteLength);
}

/**
 * Slabs kept apart from row buffers: the rows a message packs come back here one by one and
 * would fill the row spares, leaving no room for the slab the main thread hands back.
 */
const maxSlabs = 4;
const slabs: ArrayBuffer[] = [];

/**
 * A buffer of at least `byteLength` bytes to pack many small rows into one message (the decoder
 * thread's packSmallRows): the smallest kept slab that holds them, else a new one rounded up to a
 * power of two from 64 KiB, so that the next messages' slightly different sizes fit it again.
 * Fresh, a slab of 64×64 RGB rows faulted in every page as the rows were copied in: 45 % of a
 * Tiny-ImageNet-like run's page faults (measured).
 * @example const slab = takeSlab(rows.reduce((n, r) => n + r.byteLength, 0));
 */
export function takeSlab(byteLength: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < slabs.length; i++) {
    if (slabs[i].byteLength >= byteLength && (best < 0 || slabs[i].byteLength < slabs[best].byteLength)) best = i;
  }
  if (best >= 0) return slabs.splice(best, 1)[0];
  let size = 64 * 1024;
  while (size < byteLength) size *= 2;
  return new ArrayBuffer(size);
}

/** Keeps a slab the main thread is done with for a later message (the smallest make room). */
export function giveSlab(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0) return;
  slabs.push(buffer);
  slabs.sort((a, b) => b.byteLength - a.byteLength);
  if (slabs.length > maxSlabs) slabs.pop();
}

/** takeRowBytes for float32 rows. */
export function takeRowFloats(length: number): Float32Array {
  return new Float32Array(takeRowBytes(length * 4).buffer);
}

/** Keeps `buffer` for a later row; detached or shared buffers are ignored. */
export function giveRowBuffer(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0 || spares.length >= maxSpares) return;
  spares.push(buffer);
}
