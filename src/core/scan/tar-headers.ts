/**
 * Tar header parsing, shared by the random-access listing of a .tar (tar-members.ts) and the
 * streaming one of a .tar.gz (tar-gz-members.ts): one 512-byte header at a time, with the state
 * extended headers carry over to the next member. Understands ustar (prefix + name), GNU long
 * names ('L', 'K') and pax extended headers ('x': path, size; 'g' is read past).
 */
import { type ArchiveMember, member } from './archive-members.js';
import type { EntrySource } from '../types.js';

export const tarBlock = 512;

/** Extended headers hold names and sizes, a few KiB at most; more is not a real tar's. */
export const maxExtendedHeader = 1024 * 1024;

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
  for (let i = 0; i < tarBlock; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
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

/** One header, read. `dataAt`/`next`: where its data starts and where the next header is. */
export type TarHeader =
  | { type: 'end' }
  | { type: 'damaged'; why: string }
  | { type: 'extended'; code: string; size: number; dataAt: number; next: number }
  | { type: 'entry'; name: string; nameValid: boolean; kind: ArchiveMember['kind']; size: number; dataAt: number; next: number };

/**
 * Reads a tar's headers one by one; extended headers ('L', 'x') name or size the member after
 * them, so they are handed back with `extend` before the next `read`.
 *
 * @example
 * const headers = new TarHeaders();
 * const h = headers.read(block, 0); // { type: 'entry', name: 'ds/cat/1.png', kind: 'file', size: 812, dataAt: 512, next: 1536 }
 */
export class TarHeaders {
  private longName: string | null = null;
  private pax = new Map<string, string>();

  /** Reads the header block `h` found at byte `at` of the (uncompressed) tar. */
  read(h: Buffer, at: number): TarHeader {
    if (h.every((b) => b === 0)) return { type: 'end' };
    if (!checksumOk(h)) {
      return { type: 'damaged', why: at === 0 ? 'is not a tar archive (its first header has no valid checksum)' : `has a damaged header at byte ${at} (bad checksum); members after it cannot be found` };
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const size = this.pax.has('size') ? Number(this.pax.get('size')) : numeric(h.subarray(124, 136));
    const dataAt = at + tarBlock;
    const next = dataAt + Math.ceil(size / tarBlock) * tarBlock;
    if (type === 'L' || type === 'x' || type === 'K' || type === 'g') {
      if (!(size <= maxExtendedHeader)) return { type: 'damaged', why: `has an extended header at byte ${at} of ${size} bytes, beyond what a tar holds; damaged` };
      return { type: 'extended', code: type, size, dataAt, next };
    }
    const magic = h.toString('latin1', 257, 263);
    const prefix = magic === 'ustar\0' ? text(h.subarray(345, 500)) : '';
    const base = text(h.subarray(0, 100));
    const raw = this.pax.get('path') ?? this.longName ?? (base === null || prefix === null ? null : prefix ? `${prefix}/${base}` : base);
    this.longName = null;
    this.pax = new Map();
    const name = raw ?? h.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const file = type === '0' || type === '7';
    const kind: ArchiveMember['kind'] = file && name.endsWith('/') ? 'dir' : file ? 'file' : type === '5' ? 'dir' : type === '1' || type === '2' ? 'link' : 'other';
    return { type: 'entry', name, nameValid: raw !== null, kind, size, dataAt, next };
  }

  /** Takes an extended header's data: 'L' names the next member, 'x' its path and size. */
  extend(code: string, data: Buffer): void {
    if (code === 'L') this.longName = text(data) ?? '\uFFFD';
    else if (code === 'x') this.pax = paxRecords(data);
  }
}

/**
 * The member an entry header lists. `source`: where its data is read from; `short`: how many of
 * its bytes are missing when the archive ends inside it (0 when whole).
 */
export function tarMember(h: Extract<TarHeader, { type: 'entry' }>, source: EntrySource, short: number): ArchiveMember {
  if (!h.nameValid) return member(h.name, 'other', null, 'its name is not valid UTF-8; rename it');
  const problem =
    h.kind === 'link' ? 'it is a link; links in archives are never followed' :
    h.kind === 'other' ? 'not a regular file' :
    h.kind === 'file' && short > 0 ? `the archive ends inside it (${Math.max(0, h.size - short)} of ${h.size} bytes)` : null;
  return member(h.name, h.kind, h.kind === 'file' ? source : null, problem);
}

/** Where a tar member's data lies: `kind` 'tar' in a plain tar, 'tar.gz' in the gunzipped stream. */
export function tarSource(archive: string, kind: 'tar' | 'tar.gz', name: string, dataAt: number, size: number): EntrySource {
  return { archive, kind, offset: dataAt, method: 'stored', size, length: size, crc: null, name };
}
