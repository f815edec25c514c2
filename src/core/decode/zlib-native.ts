/**
 * zlib's one-call inflate (`uncompress2`) through koffi, for the PNG reader. node:zlib's
 * inflateSync builds and tears down a stream object, its buffers and a JS wrapper per call:
 * ~35 µs for a 32×32 PNG's pixel data against ~14 µs here (measured on this project's VMs), a
 * third of the whole per-image time at CIFAR sizes. It inflates into a buffer the caller
 * reuses, so a thread decoding thousands of thumbnails allocates nothing per image either.
 *
 * Loaded once per thread on first use; where koffi or the system's zlib cannot be loaded (or is
 * older than 1.2.9, without uncompress2), `inflateInto` answers null and the reader uses
 * node:zlib, with the same results.
 */
import { createRequire } from 'node:module';

type Uncompress2 = (dest: Uint8Array, destLen: [number], source: Uint8Array, sourceLen: [number]) => number;

const libraryNames: Record<string, string[]> = {
  linux: ['libz.so.1', 'libz.so'],
  darwin: ['libz.1.dylib', '/usr/lib/libz.1.dylib'],
  // Windows carries no system zlib: node:zlib is used there.
};

let uncompress2: Uncompress2 | null | undefined;

function load(): Uncompress2 | null {
  if (process.env.IMG2NPY_NO_NATIVE_ZLIB) return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    for (const name of libraryNames[process.platform] ?? []) {
      try {
        const lib = koffi.load(name);
        return lib.func('int uncompress2(_Out_ uint8_t *dest, _Inout_ unsigned long *destLen, const uint8_t *source, _Inout_ unsigned long *sourceLen)') as Uncompress2;
      } catch {
        // next name, or none: node:zlib
      }
    }
  } catch {
    // no koffi: node:zlib
  }
  return null;
}

/**
 * Inflates the whole zlib stream `source` into `into`. Returns the bytes written, or -1 when
 * the stream is damaged, truncated, followed by other bytes, or longer than `into` (zlib's
 * checksum is checked, as node:zlib does); null when the native path is unavailable.
 * @example const n = inflateInto(idat, scratch); // pass a buffer one byte longer than expected to tell "too long" from "exact"
 */
export function inflateInto(source: Uint8Array, into: Uint8Array): number | null {
  if (uncompress2 === undefined) uncompress2 = load();
  if (!uncompress2) return null;
  const written: [number] = [into.length];
  const consumed: [number] = [source.length];
  const status = uncompress2(into, written, source, consumed);
  // Z_OK: the stream ended (checksum verified). Z_BUF_ERROR means out of room or out of input.
  return status === 0 && consumed[0] === source.length ? written[0] : -1;
}
