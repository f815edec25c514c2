/**
 * Lists a tar archive's members by walking its 512-byte headers (tar-headers.ts) and skipping
 * the data, so a listing reads a few hundred bytes per member whatever their size. A plain tar
 * is random access: each member's data is the byte range after its header.
 */
import { open } from 'node:fs/promises';
import { Img2npyError } from '../../shared/errors.js';
import type { ArchiveMember } from './archive-members.js';
import { TarHeaders, tarBlock, tarMember, tarSource } from './tar-headers.js';

/**
 * @example
 * const members = await listTar('/data/ds.tar'); // [{ raw: 'ds/cat/1.png', kind: 'file', source: {...} }, ...]
 * @throws {Img2npyError} `input-unreadable` naming the archive when a header is damaged (bad
 *   checksum) or cannot be read; a member whose data runs past the end is listed as truncated.
 */
export async function listTar(archive: string, signal?: AbortSignal): Promise<ArchiveMember[]> {
  const refuse = (why: string, cause?: unknown) => new Img2npyError('input-unreadable', `Archive ${archive} ${why}`, { file: archive, cause });
  const handle = await open(archive, 'r').catch((cause) => {
    throw refuse(`cannot be opened (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, cause);
  });
  const members: ArchiveMember[] = [];
  try {
    const total = (await handle.stat()).size;
    const read = async (length: number, position: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, position);
      return buf.subarray(0, bytesRead);
    };
    const headers = new TarHeaders();
    let at = 0;
    while (at + tarBlock <= total) {
      signal?.throwIfAborted();
      const h = headers.read(await read(tarBlock, at), at);
      if (h.type === 'end') break;
      if (h.type === 'damaged') throw refuse(h.why);
      if (h.type === 'extended') {
        if (h.dataAt + h.size > total) throw refuse(`has an extended header at byte ${at} of ${h.size} bytes, beyond what a tar holds; damaged`);
        headers.extend(h.code, await read(h.size, h.dataAt));
      } else {
        members.push(tarMember(h, tarSource(archive, 'tar', h.name, h.dataAt, h.size), Math.max(0, h.dataAt + h.size - total)));
      }
      at = h.next;
    }
  } catch (cause) {
    if (cause instanceof Img2npyError) throw cause;
    if (signal?.aborted) throw new Img2npyError('cancelled', 'Scan cancelled');
    throw refuse(`cannot be read (${(cause as Error).message})`, cause);
  } finally {
    await handle.close();
  }
  return members;
}
