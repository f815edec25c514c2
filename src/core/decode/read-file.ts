/**
 * Reads an image file head first: the caller sees the first bytes and the file's size and may
 * refuse it (not an image, or far larger than its header says it could need) before the rest is
 * read, so a 1.5 GB non-image named .jpg costs one small read, not 1.5 GB per decoder.
 *
 * From the page cache a synchronous read of a small file takes a few microseconds, while an
 * asynchronous one costs four thread-pool round trips (open, stat, read, close: 30-50 µs of CPU)
 * — a quarter of the time per image on 28x28 PNGs. So reads start synchronous and switch to
 * asynchronous for good as soon as one is slow (large files, cold or network storage), so the
 * event loop is never blocked for long.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';

/** Bytes read before the check: whole small files, the headers of large ones. */
export const headLength = 256 * 1024;

const slowReadMs = 2;
let syncReads = true;

/**
 * A decoder thread decodes one file at a time and may block its own event loop, so it always
 * reads synchronously, into one grow-only buffer: a fresh buffer per file costs a page fault per
 * 4 KiB on first touch, more than the read itself on this project's VMs. Its contents are valid
 * until the thread reads the next file (readImageFile's `scratch`).
 */
let scratch = new ArrayBuffer(0);
const scratchFor = (size: number): Buffer => {
  if (scratch.byteLength < size) scratch = new ArrayBuffer(size);
  return Buffer.from(scratch, 0, size);
};

/** True when `bytes` lie in this thread's read scratch: pixels that do must be copied to be kept. */
export function inReadScratch(bytes: Uint8Array): boolean {
  return bytes.buffer === scratch && scratch.byteLength > 0;
}

/**
 * Reads `path`, calling `check(head, size)` after the first `headLength` bytes (or the whole
 * file when shorter); `check` throws to refuse the file, and the rest is then never read.
 * In a worker thread the bytes are the thread's read scratch (see above): valid until its next read.
 */
export async function readImageFile(path: string, check: (head: Buffer, size: number) => void): Promise<Buffer> {
  if (!isMainThread) return readInThread(path, check);
  if (syncReads) {
    const t0 = performance.now();
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(size);
      const head = fillSync(fd, buf, 0, Math.min(size, headLength));
      check(head, size);
      const whole = size <= headLength ? head : fillSync(fd, buf, head.length, size);
      if (performance.now() - t0 > slowReadMs) syncReads = false;
      return whole;
    } finally {
      closeSync(fd);
    }
  }
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buf = Buffer.allocUnsafe(size);
    const head = await fill(handle, buf, 0, Math.min(size, headLength));
    check(head, size);
    return size <= headLength ? head : await fill(handle, buf, head.length, size);
  } finally {
    await handle.close();
  }
}

/**
 * A decoder thread's read, into its scratch: the head first, up to end of file. A file shorter
 * than the head (every typical dataset image) is then whole without asking its size, one system
 * call and a Stats object fewer per image; a longer one is sized and checked before the rest.
 */
function readInThread(path: string, check: (head: Buffer, size: number) => void): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = fillSync(fd, scratchFor(headLength), 0, headLength);
    if (head.length < headLength) {
      check(head, head.length);
      return head;
    }
    const size = fstatSync(fd).size;
    check(head, size);
    if (size <= headLength) return head;
    // Growing the scratch replaces it: the head moves along.
    const buf = scratchFor(size);
    if (buf.buffer !== head.buffer) buf.set(head);
    return fillSync(fd, buf, headLength, size);
  } finally {
    closeSync(fd);
  }
}

/** Reads into buf[from, to); returns buf[0, end) where end is where the file ended. */
function fillSync(fd: number, buf: Buffer, from: number, to: number): Buffer {
  let at = from;
  while (at < to) {
    const n = readSync(fd, buf, at, to - at, at);
    if (n === 0) break;
    at += n;
  }
  return buf.subarray(0, at);
}

async function fill(handle: Awaited<ReturnType<typeof open>>, buf: Buffer, from: number, to: number): Promise<Buffer> {
  let at = from;
  while (at < to) {
    const { bytesRead } = await handle.read(buf, at, to - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return buf.subarray(0, at);
}
