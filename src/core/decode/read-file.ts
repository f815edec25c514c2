/**
 * Reads a whole image file. From the page cache a synchronous read of a small file takes a few
 * microseconds, while an asynchronous one costs four thread-pool round trips (open, stat, read,
 * close: 30-50 µs of CPU) — a quarter of the time per image on 28x28 PNGs. So reads start
 * synchronous and switch to asynchronous for good as soon as one is slow (large files, cold or
 * network storage), so the event loop is never blocked for long.
 */
import { readFile, readFileSync } from 'node:fs';

const slowReadMs = 2;
let syncReads = true;

export async function readWholeFile(path: string): Promise<Buffer> {
  if (syncReads) {
    const t0 = performance.now();
    const buf = readFileSync(path);
    if (performance.now() - t0 > slowReadMs) syncReads = false;
    return buf;
  }
  return new Promise<Buffer>((resolve, reject) => readFile(path, (err, data) => (err ? reject(err) : resolve(data))));
}
