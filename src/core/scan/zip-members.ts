/**
 * Lists a zip archive's members from its central directory (yauzl), without reading any data.
 * Bad members are listed with the reason they are left out, never a reason to stop: encrypted,
 * unsupported compression, links, names leading out, and what a zip bomb needs (a member
 * declaring far more than it stores, members sharing bytes, a total far beyond the archive's
 * own size). The decoder later caps each inflate at the declared size (archive-read.ts).
 */
import { stat } from 'node:fs/promises';
import type * as Yauzl from 'yauzl';
import { Img2npyError } from '../../shared/errors.js';
import { maxEntryBytes } from './archive-read.js';
import { type ArchiveMember, maxTotalRatio, member, unpackedLimit } from './archive-members.js';

/** Members above this declared size must store at least 1/maxRatio of it (Apache POI's default is 1/100 too). */
export const ratioFloorBytes = 1024 * 1024;
export const maxRatio = 100;

const fileTypeMask = 0o170000;
const unixHost = 3;

function kindOf(entry: Yauzl.Entry, name: string): ArchiveMember['kind'] {
  const mode = entry.versionMadeBy >> 8 === unixHost ? (entry.externalFileAttributes >>> 16) & fileTypeMask : 0;
  if (mode === 0o120000) return 'link';
  if (name.endsWith('/') || mode === 0o040000) return 'dir';
  return mode === 0 || mode === 0o100000 ? 'file' : 'other';
}

function problemOf(entry: Yauzl.Entry): string | null {
  if (entry.isEncrypted()) return 'it is encrypted; encrypted members are never read';
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return `compression method ${entry.compressionMethod} is not supported (only stored and deflate)`;
  const { uncompressedSize: length, compressedSize: size } = entry;
  if (entry.compressionMethod === 0 && size !== length) return `stored, yet it declares ${length} bytes in ${size}; damaged or crafted`;
  if (length > maxEntryBytes) return `it declares ${length} bytes unpacked, more than the ${maxEntryBytes} read from one member`;
  if (length > ratioFloorBytes && length / Math.max(1, size) > maxRatio) {
    return `it declares ${length} bytes from ${size} compressed (more than ${maxRatio}:1, as zip bombs do); not read`;
  }
  return null;
}

/**
 * @example
 * const members = await listZip('/data/ds.zip'); // [{ raw: 'ds/cat/1.png', kind: 'file', source: {...} }, ...]
 * @throws {Img2npyError} `input-unreadable` naming the archive when it is not a readable zip, when
 *   members overlap (one compressed stream counted many times), or when all members together
 *   declare more than the total limit.
 */
export async function listZip(archive: string, signal?: AbortSignal): Promise<ArchiveMember[]> {
  const refuse = (why: string, cause?: unknown) => new Img2npyError('input-unreadable', `Archive ${archive} ${why}`, { file: archive, cause });
  // Loaded on first use: every conversion would otherwise load it (~8 ms) for folders that hold no zip.
  const yauzl = await import('yauzl');
  let zip: Yauzl.ZipFile;
  try {
    // Names are decoded and checked here (decodeStrings off): yauzl would stop the whole listing at the first bad one.
    zip = await yauzl.openPromise(archive, { autoClose: false, decodeStrings: false, validateEntrySizes: false });
  } catch (cause) {
    throw refuse(`cannot be read as a zip archive (${(cause as Error).message})`, cause);
  }
  const members: ArchiveMember[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      signal?.throwIfAborted();
      const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false);
      const kind = kindOf(entry, raw);
      const problem = kind === 'link' ? 'it is a link; links in archives are never followed' : kind === 'other' ? 'not a regular file' : kind === 'file' ? problemOf(entry) : null;
      const source = {
        archive,
        kind: 'zip' as const,
        offset: entry.relativeOffsetOfLocalHeader,
        method: entry.compressionMethod === 8 ? ('deflate' as const) : ('stored' as const),
        size: entry.compressedSize,
        length: entry.uncompressedSize,
        crc: entry.crc32,
        name: raw,
      };
      members.push(member(raw, kind, kind === 'file' ? source : null, problem));
    }
  } catch (cause) {
    if (signal?.aborted) throw new Img2npyError('cancelled', 'Scan cancelled');
    throw refuse(`cannot be read as a zip archive (${(cause as Error).message})`, cause);
  } finally {
    zip.close();
  }
  checkBomb(members, (await stat(archive)).size, refuse);
  return members;
}

/** Overlapping members and the total declared size: the two shapes of a zip bomb a single member cannot show. */
function checkBomb(members: ArchiveMember[], archiveBytes: number, refuse: (why: string) => Img2npyError): void {
  const files = members.filter((m) => m.source !== null).sort((a, b) => a.source!.offset - b.source!.offset);
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1].source!;
    // 30 bytes of local header at least precede the data: a member starting before that end shares bytes.
    if (prev.offset + 30 + prev.size > files[i].source!.offset) {
      throw refuse(`has members that overlap (${prev.name} and ${files[i].source!.name} share compressed bytes, as zip bombs do); not read`);
    }
  }
  const limit = unpackedLimit(archiveBytes);
  const total = files.reduce((n, m) => n + m.source!.length, 0);
  if (total > limit) throw refuse(`declares ${total} bytes unpacked, more than ${limit} (${maxTotalRatio} times its own size, at least 4 GiB); not read`);
}
