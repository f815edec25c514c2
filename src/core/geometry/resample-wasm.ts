/**
 * The separable passes in WebAssembly SIMD (wasm/resample.wat) with Pillow's exact integer sums,
 * several times faster than the TypeScript passes. RGB and RGBA rows go through the horizontal
 * pass four rows and two taps a step (i32x4.dot_i16x8_s on weights split into exact halves): the
 * per-column work, not the sums, sets its pace. Each thread compiles the embedded module once,
 * on first use; where the engine has no WASM SIMD, `separableWasm` answers null and the caller
 * takes the TypeScript passes.
 */
import type { Coefficients, SeparablePasses } from './resample-coefficients.js';
import { type EmbeddedWasm, compileEmbeddedWasm } from '../../shared/embedded-wasm.js';
import { resampleWasmBase64 } from './resample-wasm-bytes.js';
import { takeRowBytes } from './row-buffers.js';

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  horizontal(src: number, srcStride: number, rows: number, outW: number, bands: number, bounds: number, k: number, ksize: number, out: number): void;
  horizontalPairs4(src: number, srcStride: number, rows: number, outW: number, bands: number, bounds: number, kv: number, pairs: number, out: number): void;
  pairWeights(k: number, ksize: number, outW: number, out: number): void;
  vertical(src: number, stride: number, outH: number, bounds: number, k: number, ksize: number, out: number): void;
}

/** A thread keeps one instance with memory up to this size; bigger images get a throwaway one. */
const keptBytes = 16 << 20;
/** Past this the TypeScript passes run instead: wasm32 memory is limited, and V8's limit varies. */
const maxBytes = 1 << 30;
/** The passes read and write whole 16-byte groups past a buffer's end (see resample.wat). */
const spare = 16;

let compiled: EmbeddedWasm<Kernel> | null | undefined;
let kept: Kernel | undefined;

function wasmModule(): EmbeddedWasm<Kernel> | null {
  if (compiled === undefined) compiled = compileEmbeddedWasm<Kernel>(resampleWasmBase64);
  return compiled;
}

/** Whether this thread can run the WebAssembly SIMD passes. */
export function wasmSimdAvailable(): boolean {
  return wasmModule() !== null;
}

function kernel(bytes: number): Kernel | null {
  const m = wasmModule();
  if (!m || bytes > maxBytes) return null;
  const fresh = () => m.instantiate();
  const k = bytes > keptBytes ? fresh() : (kept ??= fresh());
  const have = k.memory.buffer.byteLength;
  try {
    if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  } catch {
    return null;
  }
  return k;
}

const align = (n: number): number => (n + spare + 15) & ~15;

/**
 * `bytes` bytes at the start of this thread's kept WebAssembly memory, for a decoder to write
 * pixels that the next resample then reads where they are instead of copying them in (a
 * 500×375 RGB image is 560 KB). Valid until that resample or the next call, which may also
 * detach it (the memory grows): one image at a time per thread. Null where the passes cannot
 * run here or the image is past the kept memory.
 * @example const into = resampleScratch(w * h * 3); decodeInto(into ?? new Uint8Array(w * h * 3));
 */
export function resampleScratch(bytes: number): Uint8Array | null {
  if (bytes + spare > keptBytes) return null;
  const k = kernel(align(bytes));
  return k === kept && k ? new Uint8Array(k.memory.buffer, 0, bytes) : null;
}

function putCoefficients(mem: ArrayBuffer, at: number, c: Coefficients): number {
  new Int32Array(mem, at, c.bounds.length).set(c.bounds);
  new Int32Array(mem, at + c.bounds.byteLength, c.k.length).set(c.k);
  return at + c.bounds.byteLength;
}

/** The separable resize in WebAssembly SIMD, or null where it cannot run. */
export const separableWasm: SeparablePasses = (src, first, rows, outW, hor, outH, vert) => {
  const { bands } = src;
  const srcStride = src.width * bands;
  const midStride = hor ? outW * bands : srcStride;
  // Three or four bands take the four-rows, two-taps-a-step pass (four rows at least), whose
  // weights are laid out per column.
  const pairs = hor && (bands === 3 || bands === 4) && rows >= 4 ? (hor.ksize + 1) >> 1 : 0;
  // Where each buffer goes when the source rows take `srcBytes` from the start.
  const layout = (srcBytes: number) => {
    const midAt = align(srcBytes);
    const outAt = hor ? align(midAt + rows * midStride) : midAt;
    const horAt = vert ? align(outAt + outH * midStride) : outAt;
    const pairsAt = hor ? align(horAt + hor.bounds.byteLength + hor.k.byteLength) : horAt;
    const vertAt = pairs ? align(pairsAt + outW * pairs * 32) : pairsAt;
    const end = vert ? align(vertAt + vert.bounds.byteLength + vert.k.byteLength) : vertAt;
    return { midAt, outAt, horAt, pairsAt, vertAt, end };
  };
  // Pixels a decoder wrote into resampleScratch are read where they are, when all the buffers
  // fit the kept memory; checked before kernel() may grow it, which detaches the view (the
  // bytes stay, at the same offsets).
  let at = layout(src.height * srcStride);
  const inPlace = kept !== undefined && src.data.buffer === kept.memory.buffer && src.data.byteOffset === 0 && at.end <= keptBytes;
  if (!inPlace) at = layout(rows * srcStride);
  const { midAt, outAt, horAt, pairsAt, vertAt, end } = at;
  const srcAt = inPlace ? first * srcStride : 0;
  let rowsIn = inPlace ? null : src.data.subarray(first * srcStride, (first + rows) * srcStride);
  // Any other view of the kept memory is copied out first: kernel() may detach it.
  if (rowsIn && kept && rowsIn.buffer === kept.memory.buffer) rowsIn = rowsIn.slice();
  const k = kernel(end);
  if (!k) return null;
  const mem = k.memory.buffer;
  if (rowsIn) new Uint8Array(mem).set(rowsIn, srcAt);
  let result = srcAt;
  if (hor) {
    const kAt = putCoefficients(mem, horAt, hor);
    if (pairs) {
      k.pairWeights(kAt, hor.ksize, outW, pairsAt);
      const fours = rows & ~3;
      k.horizontalPairs4(srcAt, srcStride, fours, outW, bands, horAt, pairsAt, pairs, midAt);
      // The last rows again as a group of four ending at the last: the overlap is rewritten
      // with the same bytes.
      if (fours < rows) k.horizontalPairs4(srcAt + (rows - 4) * srcStride, srcStride, 4, outW, bands, horAt, pairsAt, pairs, midAt + (rows - 4) * midStride);
    } else {
      k.horizontal(srcAt, srcStride, rows, outW, bands, horAt, kAt, hor.ksize, midAt);
    }
    result = midAt;
  }
  if (vert) {
    const kAt = putCoefficients(mem, vertAt, vert);
    k.vertical(result, midStride, outH, vertAt, kAt, vert.ksize, outAt);
    result = outAt;
  }
  const length = (vert ? outH : rows) * midStride;
  const out = takeRowBytes(length);
  out.set(new Uint8Array(mem, result, length));
  return out;
};
