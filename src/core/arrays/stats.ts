/**
 * Turns raw little-endian array bytes into values: typed rows for callers, running
 * min/max/mean for `stats`, and strings from '<U' data. Memory is one work block, whatever the
 * array's size.
 */
import { Img2npyError } from '../../shared/errors.js';
import { fromFloat16Bits } from '../tensor/float16.js';
import type { FriendlyDtype } from './npy-header.js';
import type { ByteCursor } from './npy-io.js';

export type ArrayRows = Uint8Array | Int32Array | Float32Array | Uint16Array | BigInt64Array | Float64Array | string[];

export interface ArrayStats {
  /** null for string arrays and for empty arrays; NaN when the data holds a NaN, as NumPy gives. */
  min: number | null;
  max: number | null;
  mean: number | null;
}

const blockBytes = 4 << 20;
let halfTable: Float32Array | null = null;

/** Every float16 bit pattern's value, so decoding a block is one lookup per element. */
function halves(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = fromFloat16Bits(bits);
  }
  return halfTable;
}

/**
 * Typed view of `bytes` for the dtype, copied when the bytes are not aligned for it.
 * '<U' data becomes one string per element, trailing NULs stripped as NumPy does.
 * @example decodeRows(bytes, 'float32', 4) // Float32Array
 * @example decodeRows(bytes, 'str', 48) // ['cat', 'dög', ...] from '<U12'
 */
export function decodeRows(bytes: Uint8Array, dtype: FriendlyDtype, itemSize: number): ArrayRows {
  if (dtype === 'str') return decodeStrings(bytes, itemSize / 4);
  const width = dtype === 'uint8' ? 1 : dtype === 'float16' ? 2 : dtype === 'int64' || dtype === 'float64' ? 8 : 4;
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset } = aligned;
  const length = bytes.byteLength / width;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
  }
}

function decodeStrings(bytes: Uint8Array, width: number): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  const points: number[] = [];
  for (let at = 0; at < bytes.byteLength; at += width * 4) {
    points.length = 0;
    for (let k = 0; k < width; k++) {
      const cp = view.getUint32(at + k * 4, true);
      points.push(cp > 0x10ffff ? 0xfffd : cp);
    }
    while (points.length > 0 && points[points.length - 1] === 0) points.pop();
    let s = '';
    for (let k = 0; k < points.length; k += 4096) s += String.fromCodePoint(...points.slice(k, k + 4096));
    out.push(s);
  }
  return out;
}

/**
 * Min, max and mean of `total` bytes of numeric data read from `cursor`, a block at a time.
 * uint8 and float16 are counted into a histogram (256 or 65536 bins) and reduced from it, which
 * is several times faster than a per-element loop; int32 and float32 run a loop of their own so
 * each stays monomorphic. Sums are float64, so uint8/int32 means are exact and float means are
 * at least as close as NumPy's float32 pairwise sum.
 * @throws {Img2npyError} cancelled when `signal` aborts between blocks; not-an-array-file
 *   naming `file` when the data ends early.
 */
export async function streamStats(
  cursor: ByteCursor, total: number, dtype: FriendlyDtype, file: string, signal?: AbortSignal,
): Promise<ArrayStats> {
  if (dtype === 'str' || total === 0) return { min: null, max: null, mean: null };
  const block = new Uint8Array(Math.min(blockBytes, total));
  const acc = new Accumulator();
  const binCount = dtype === 'uint8' ? 256 : dtype === 'float16' ? 65536 : 0;
  // Per-block counts fit 32 bits (a block holds < 2^32 elements); totals need float64.
  const bins = binCount ? new Float64Array(binCount) : null;
  const blockBins = new Uint32Array(binCount);
  let done = 0;
  while (done < total) {
    if (signal?.aborted) throw new Img2npyError('cancelled', `Cancelled while reading ${file}`, { file });
    let filled = 0;
    const want = Math.min(block.length, total - done);
    while (filled < want) {
      const piece = await cursor.next(want - filled);
      if (!piece) throw new Img2npyError('not-an-array-file', `${file} is not a readable NumPy array: truncated (data ends after ${done + filled} of ${total} bytes)`, { file });
      block.set(piece, filled);
      filled += piece.length;
    }
    done += filled;
    const values = decodeRows(block.subarray(0, filled), dtype, 0);
    if (bins) {
      count(values as Uint8Array | Uint16Array, blockBins);
      for (let b = 0; b < binCount; b++) bins[b] += blockBins[b];
      blockBins.fill(0);
    }
    else if (dtype === 'int32') acc.ints(values as Int32Array);
    else if (dtype === 'int64') acc.bigints(values as BigInt64Array);
    else if (dtype === 'float64') acc.doubles(values as Float64Array);
    else acc.floats(values as Float32Array);
  }
  if (bins) {
    const value = dtype === 'float16' ? halves() : null;
    for (let b = 0; b < bins.length; b++) if (bins[b] > 0) acc.add(value ? value[b] : b, bins[b]);
  }
  return acc.result();
}

function count(values: Uint8Array | Uint16Array, bins: Uint32Array): void {
  for (let i = 0; i < values.length; i++) bins[values[i]]++;
}

class Accumulator {
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private n = 0;
  private nan = false;

  // ints and floats are the same loop on purpose: one loop per typed-array type keeps each
  // monomorphic, which V8 runs several times faster than one loop over a union.
  ints(v: Int32Array): void {
    let { min, max } = this;
    let sum = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    this.fold(min, max, sum, v.length);
  }

  floats(v: Float32Array): void {
    let { min, max } = this;
    let sum = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    // NaN fails every comparison above but poisons the sum, so one check per block finds it.
    if (sum !== sum && v.some(Number.isNaN)) this.nan = true;
    this.fold(min, max, sum, v.length);
  }

  /** int64 metadata columns (small): as float64, exact below 2^53. */
  bigints(v: BigInt64Array): void {
    this.doubles(Float64Array.from(v, Number));
  }

  /** Metadata columns are small: each value through `add`, rather than a third copy of the loop. */
  doubles(v: Float64Array): void {
    for (let i = 0; i < v.length; i++) this.add(v[i], 1);
  }

  private fold(min: number, max: number, sum: number, n: number): void {
    this.min = min;
    this.max = max;
    this.sum += sum;
    this.n += n;
  }

  add(value: number, times: number): void {
    if (value !== value) this.nan = true;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sum += value * times;
    this.n += times;
  }

  result(): ArrayStats {
    // NumPy's min, max and mean all give NaN when the data holds one.
    if (this.nan) return { min: NaN, max: NaN, mean: NaN };
    return { min: this.min, max: this.max, mean: this.sum / this.n };
  }
}
