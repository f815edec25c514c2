/**
 * Lists a .tar.gz / .tgz by streaming it once through gunzip and walking the tar headers as they
 * pass (tar-headers.ts), skipping member data without holding it. gzip has no random access, so
 * each member's place is its data offset in the gunzipped stream; the job reads members later
 * through a sequential feed (tar-gz-feed.ts). Small files the scan itself needs (metadata
 * tables, manifests) are kept as they pass, so the scan needs no second pass.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline as streamPipeline } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Gunzip, createGunzip } from 'node:zlib';
import { Img2npyError } from '../../shared/errors.js';
import { type ArchiveMember, unpackedLimit } from './archive-members.js';
import { type TarHeader, TarHeaders, tarBlock, tarMember, tarSource } from './tar-headers.js';
import type { ListingProgress } from '../types.js';

/** gunzip output chunk: large chunks keep per-chunk overhead (a callback, a copy) negligible. */
export const gunzipChunk = 256 * 1024;
export const fileChunk = 1024 * 1024;

/** A kept file is at most this big, and all of them together at most `maxHeldTotal`. */
export const maxHeldBytes = 64 * 1024 * 1024;
const maxHeldTotal = 256 * 1024 * 1024;

/**
 * The gunzipped bytes of `archive`, in chunks; `signal` destroys both streams. `fd`: read that
 * open file (closed with the stream) rather than opening the path; `onRead`: told each chunk's
 * compressed size as it is read.
 */
export function gunzipStream(archive: string, signal?: AbortSignal, opts: { fd?: number; onRead?: (bytes: number) => void } = {}): Gunzip {
  const gunzip = createGunzip({ chunkSize: gunzipChunk });
  const file = createReadStream(archive, { highWaterMark: fileChunk, signal, ...(opts.fd === undefined ? {} : { fd: opts.fd }) });
  const onRead = opts.onRead;
  if (onRead) file.on('data', (chunk: Buffer | string) => onRead(chunk.length));
  // The callback pipeline destroys both streams when either ends early; errors surface on gunzip.
  return streamPipeline(file, gunzip, () => undefined);
}

/** A stream error (zlib, file system) in words, for "Archive X <words>". */
export function gzipProblem(cause: unknown): string {
  const err = cause as NodeJS.ErrnoException;
  if (err.code === 'Z_BUF_ERROR') return 'is truncated: its gzip stream ends early (unexpected end of file)';
  if (err.code === 'Z_DATA_ERROR') return `is not a readable gzip file (${err.message})`;
  return `cannot be read (${err.code ?? err.message})`;
}

interface Wanted {
  at: number;
  buf: Buffer;
  filled: number;
  done: (buf: Buffer) => void;
}

/**
 * @example
 * const members = await listTarGz('/data/ds.tgz', (m) => m.raw.endsWith('metadata.csv'));
 * members[0].source; // { kind: 'tar.gz', offset: 512, length: 812, ... }
 * `onListing` hears the compressed bytes read so far (from 0 up to the archive's size) and the
 * members found, after each gunzipped chunk.
 * @throws {Img2npyError} `input-unreadable` naming the archive when it is not gzip, is truncated
 *   or damaged, has a damaged tar header, or unpacks to more than unpackedLimit (a gzip bomb);
 *   `cancelled` when `signal` aborts.
 */
export async function listTarGz(archive: string, keep: (m: ArchiveMember) => boolean, signal?: AbortSignal, onListing?: ListingProgress): Promise<ArchiveMember[]> {
  const refuse = (why: string, cause?: unknown) => new Img2npyError('input-unreadable', `Archive ${archive} ${why}`, { file: archive, cause });
  const compressed = await stat(archive).then(
    (s) => s.size,
    (cause) => {
      throw refuse(`cannot be opened (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, cause);
    },
  );
  const limit = unpackedLimit(compressed);
  const members: ArchiveMember[] = [];
  const headers = new TarHeaders();
  let last: { h: Extract<TarHeader, { type: 'entry' }>; index: number } | null = null;
  let held = 0;
  let ended = false;
  let pos = 0;
  // The bytes wanted next (a header, an extended header's data, a kept file); null: skip to `nextHeader`.
  let target: Wanted | null = null;
  let nextHeader = 0;
  const want = (at: number, length: number, done: (buf: Buffer) => void) => {
    target = { at, buf: Buffer.allocUnsafe(length), filled: 0, done };
  };
  const onHeader = (buf: Buffer, at: number) => {
    const h = headers.read(buf, at);
    if (h.type === 'end') {
      ended = true;
      return;
    }
    if (h.type === 'damaged') throw refuse(h.why);
    nextHeader = h.next;
    if (h.type === 'extended') want(h.dataAt, h.size, (data) => headers.extend(h.code, data));
    else {
      const m = tarMember(h, tarSource(archive, 'tar.gz', h.name, h.dataAt, h.size), 0);
      last = { h, index: members.length };
      members.push(m);
      if (m.source && h.size <= maxHeldBytes && held + h.size <= maxHeldTotal && keep(m)) {
        held += h.size;
        want(h.dataAt, h.size, (data) => (m.held = data));
      }
    }
  };
  const take = (chunk: Buffer) => {
    const end = pos + chunk.length;
    while (!ended) {
      if (target === null) {
        const at = nextHeader;
        want(at, tarBlock, (buf) => onHeader(buf, at));
      }
      const t: Wanted = target!;
      const from = t.at + t.filled;
      if (from >= end && t.filled < t.buf.length) break;
      const n = Math.min(t.buf.length - t.filled, end - from);
      if (n > 0) chunk.copy(t.buf, t.filled, from - pos, from - pos + n);
      t.filled += n;
      if (t.filled < t.buf.length) break;
      target = null;
      t.done(t.buf);
    }
    pos = end;
    if (pos > limit) throw refuse(`unpacks to more than ${limit} bytes (${Math.round(limit / compressed)} times its own size, at least 4 GiB), as gzip bombs do; not read further`);
  };
  let read = 0;
  const report = () => onListing?.({ archive, bytesRead: read, totalBytes: compressed, members: members.length });
  report();
  try {
    await pipeline(gunzipStream(archive, signal, { onRead: (n) => (read += n) }), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        signal?.throwIfAborted();
        take(chunk);
        report();
      }
    });
  } catch (cause) {
    if (signal?.aborted) throw new Img2npyError('cancelled', 'Scan cancelled');
    if (cause instanceof Img2npyError) throw cause;
    throw refuse(gzipProblem(cause), cause);
  }
  const cut = last as { h: Extract<TarHeader, { type: 'entry' }>; index: number } | null;
  if (cut !== null && cut.h.dataAt + cut.h.size > pos) {
    members[cut.index] = tarMember(cut.h, tarSource(archive, 'tar.gz', cut.h.name, cut.h.dataAt, cut.h.size), cut.h.dataAt + cut.h.size - pos);
  }
  if (members.length === 0 && !ended && pos < tarBlock) throw refuse('is not a tar archive once gunzipped (it holds less than one tar header)');
  report();
  return members;
}
