/**
 * Lists a tar archive's members by walking its 512-byte headers and skipping the data, so a
 * listing reads a few hundred bytes per member whatever their size. Understands ustar (prefix +
 * name), GNU long names ('L', 'K') and pax extended headers ('x': path, linkpath, size).
 * A plain tar is random access: each member's data is the byte range after its header.
 */
import { open } from 'node:fs/promises';
import { Img2npyError } from '../../shared/errors.js';
import { type ArchiveMember, member } from './archive-members.js';

const block = 512;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(buf: Uint8Array): string | null {
  const end = buf.indexOf(0);
  try {
    return utf8.decode(end < 0 ? buf : buf.subarray(0, end));
  } catch {
    return null;
  }
}

/** Octal, or GNU's base-256 (high bit set) for sizes of 8 GiB and more. */
function numeric(field: Buffer): number {
  if (field[0] & 0x80) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const s = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return numeric(h.subarray(148, 156)) === sum;
}

/** pax records: "<len> <key>=<value>\n", lengths in bytes. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = parseInt(data.toString('latin1', at, space), 10);
    if (!(len > 0) || at + len > data.length) break;
    const record = data.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq > 0) out.set(record.toString('utf8', 0, eq), record.toString('utf8', eq + 1));
    at += len;
  }
  return out;
}

/** Extended headers hold names and sizes, a few KiB at most; more is not a real tar's. */
const maxExtendedHeader = 1024 * 1024;

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
    let at = 0;
    let longName: string | null = null;
    let pax = new Map<string, string>();
    while (at + block <= total) {
      signal?.throwIfAborted();
      const h = await read(block, at);
      if (h.every((b) => b === 0)) break;
      if (!checksumOk(h)) {
        if (at === 0) throw refuse('is not a tar archive (its first header has no valid checksum)');
        throw refuse(`has a damaged header at byte ${at} (bad checksum); members after it cannot be found`);
      }
      const type = String.fromCharCode(h[156] || 0x30);
      const size = pax.has('size') ? Number(pax.get('size')) : numeric(h.subarray(124, 136));
      const dataAt = at + block;
      const next = dataAt + Math.ceil(size / block) * block;
      if (type === 'L' || type === 'x' || type === 'K' || type === 'g') {
        if (size > maxExtendedHeader || dataAt + size > total) throw refuse(`has an extended header at byte ${at} of ${size} bytes, beyond what a tar holds; damaged`);
        const data = await read(size, dataAt);
        if (type === 'L') longName = text(data) ?? '\uFFFD';
        else if (type === 'x') pax = paxRecords(data);
        at = next;
        continue;
      }
      const magic = h.toString('latin1', 257, 263);
      const prefix = magic === 'ustar\0' ? text(h.subarray(345, 500)) : '';
      const base = text(h.subarray(0, 100));
      const raw = pax.get('path') ?? longName ?? (base === null || prefix === null ? null : prefix ? `${prefix}/${base}` : base);
      longName = null;
      pax = new Map();
      at = next;
      const name = raw ?? h.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
      if (raw === null) {
        members.push(member(name, 'other', null, 'its name is not valid UTF-8; rename it'));
        continue;
      }
      const kind: ArchiveMember['kind'] = (type === '0' || type === '7') && name.endsWith('/') ? 'dir' : type === '0' || type === '7' ? 'file' : type === '5' ? 'dir' : type === '1' || type === '2' ? 'link' : 'other';
      const problem =
        kind === 'link' ? 'it is a link; links in archives are never followed' :
        kind === 'other' ? 'not a regular file' :
        kind === 'file' && dataAt + size > total ? `the archive ends inside it (${Math.max(0, total - dataAt)} of ${size} bytes)` : null;
      const source = { archive, kind: 'tar' as const, offset: dataAt, method: 'stored' as const, size, length: size, crc: null, name };
      members.push(member(name, kind, kind === 'file' ? source : null, problem));
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
