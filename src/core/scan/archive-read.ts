/**
 * Reads one archive member's bytes straight from the archive: a zip member through its local
 * header (stored, or raw deflate inflated here), a tar member as the byte range it occupies.
 * Nothing is unpacked to disk and only the member is held in memory, never the archive.
 *
 * Lives in scan/ (the earliest stage) because both the scan (metadata files inside an archive)
 * and the decoder threads (job/decode-files.ts) read members; decode/ itself only sees bytes.
 * Reads are synchronous: they run in decoder threads, one member at a time, like read-file.ts.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { Img2npyError } from '../../shared/errors.js';
import { archiveChanged, checkArchiveIdentity } from './archive-members.js';
import type { EntrySource } from '../types.js';

/** Largest member read (declared size once inflated): one member per decoder thread at most this. */
export const maxEntryBytes = 512 * 1024 * 1024;

const localHeaderSignature = 0x04034b50;

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) {
    const n = readSync(fd, buf, at, length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return at === length ? buf : buf.subarray(0, at);
}

/**
 * Reads and checks one member. The inflated size is capped at the declared size (a member
 * that would inflate past it stops there), and must equal it; a zip member's CRC-32 must match.
 *
 * @example
 * const bytes = readArchiveEntry(file.source, file.abs); // the PNG's bytes, as stored unpacked
 * @throws {Img2npyError} `unreadable-image` naming `display` and the problem: truncated archive,
 *   bad local header, a member that inflates to more or fewer bytes than declared, CRC mismatch,
 *   a member larger than maxEntryBytes, a .tar.gz member (read through the job's feed instead);
 *   `input-unreadable` naming the archive when it is not the file the scan listed (fails the job).
 */
export function readArchiveEntry(source: EntrySource, display: string): Buffer {
  const bad = (problem: string, cause?: unknown) => new Img2npyError('unreadable-image', `Cannot read ${display} from the archive: ${problem}`, { file: display, cause });
  if (source.kind === 'tar.gz') throw bad('a .tar.gz member cannot be read on its own (gzip has no random access); the job reads it through its feed (tar-gz-feed.ts)');
  if (source.length > maxEntryBytes) throw bad(`it declares ${source.length} bytes, more than the ${maxEntryBytes} read from one archive member`);
  let fd: number;
  try {
    fd = openSync(source.archive, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    // The scan opened it: gone now, it changed under the job, which no other member escapes.
    if (source.identity) throw archiveChanged(source.archive, `it cannot be opened any more: ${code}`, cause);
    throw bad(`the archive cannot be opened (${code})`, cause);
  }
  try {
    checkArchiveIdentity(fd, source);
    let dataAt = source.offset;
    if (source.kind === 'zip') {
      const local = readAt(fd, 30, source.offset);
      if (local.length < 30 || local.readUInt32LE(0) !== localHeaderSignature) throw bad('its local header is missing or damaged');
      dataAt += 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    }
    const stored = readAt(fd, source.size, dataAt);
    if (stored.length < source.size) throw bad(`the archive ends inside it (${stored.length} of ${source.size} bytes)`);
    let bytes = stored;
    if (source.method === 'deflate') {
      try {
        // The declared size is the cap: a bomb stops at it instead of filling memory.
        bytes = inflateRawSync(stored, { maxOutputLength: Math.max(1, source.length) });
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') throw bad(`it inflates to more than its declared ${source.length} bytes (a zip bomb or a damaged archive); not read further`, cause);
        throw bad(`its compressed data is damaged (${(cause as Error).message})`, cause);
      }
    }
    if (bytes.length !== source.length) throw bad(`it holds ${bytes.length} bytes where the archive declares ${source.length}`);
    if (source.crc !== null && crc32(bytes) >>> 0 !== source.crc >>> 0) throw bad('its CRC-32 does not match the archive\'s (damaged)');
    return bytes;
  } finally {
    closeSync(fd);
  }
}
