/**
 * The byte layout of the .npz archives img2npy writes (the why is at the top of npz-pack.ts):
 * ZIP64 local headers with both sizes in the extra, ZIP64 central headers with sizes and offset,
 * and a ZIP64 end record before the classic one.
 */
import { Img2npyError } from '../../shared/errors.js';

export const localFixed = 30;
export const localExtra = 20;
export const centralFixed = 46;
export const centralExtra = 28;
const zip64Version = 45;
const unixFile = (0o100644 << 16) >>> 0;

/** One entry as the headers describe it. */
export interface ZipRecord {
  name: Buffer;
  utf8: boolean;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  size: number;
  packed: number;
  /** Where its local header starts. */
  offset: number;
}

export interface DosTime {
  date: number;
  time: number;
}

/** A record for `name` whose local header starts at `offset`; CRC and sizes come later. */
export function newRecord(name: string, method: number, offset: number): ZipRecord {
  return { name: Buffer.from(checkName(name), 'utf8'), utf8: /[^\x20-\x7e]/.test(name), method, crc: 0, size: 0, packed: 0, offset };
}

export function localHeader(r: ZipRecord, when: DosTime): Buffer {
  const b = Buffer.alloc(localFixed + r.name.length + localExtra);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(zip64Version, 4);
  b.writeUInt16LE(r.utf8 ? 0x800 : 0, 6);
  b.writeUInt16LE(r.method, 8);
  b.writeUInt16LE(when.time, 10);
  b.writeUInt16LE(when.date, 12);
  b.writeUInt32LE(r.crc, 14);
  // 0xFFFFFFFF sends readers to the ZIP64 extra for the real sizes.
  b.writeUInt32LE(0xffffffff, 18);
  b.writeUInt32LE(0xffffffff, 22);
  b.writeUInt16LE(r.name.length, 26);
  b.writeUInt16LE(localExtra, 28);
  r.name.copy(b, localFixed);
  const x = localFixed + r.name.length;
  b.writeUInt16LE(0x0001, x);
  b.writeUInt16LE(localExtra - 4, x + 2);
  b.writeBigUInt64LE(BigInt(r.size), x + 4);
  b.writeBigUInt64LE(BigInt(r.packed), x + 12);
  return b;
}

/** Central headers, ZIP64 end record and locator, and the classic end record. */
export function centralDirectory(records: readonly ZipRecord[], when: DosTime, start: number): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const b = Buffer.alloc(centralFixed + r.name.length + centralExtra);
    b.writeUInt32LE(0x02014b50, 0);
    b.writeUInt16LE((3 << 8) | zip64Version, 4);
    b.writeUInt16LE(zip64Version, 6);
    b.writeUInt16LE(r.utf8 ? 0x800 : 0, 8);
    b.writeUInt16LE(r.method, 10);
    b.writeUInt16LE(when.time, 12);
    b.writeUInt16LE(when.date, 14);
    b.writeUInt32LE(r.crc, 16);
    b.writeUInt32LE(0xffffffff, 20);
    b.writeUInt32LE(0xffffffff, 24);
    b.writeUInt16LE(r.name.length, 28);
    b.writeUInt16LE(centralExtra, 30);
    b.writeUInt32LE(unixFile, 38);
    b.writeUInt32LE(0xffffffff, 42);
    r.name.copy(b, centralFixed);
    const x = centralFixed + r.name.length;
    b.writeUInt16LE(0x0001, x);
    b.writeUInt16LE(centralExtra - 4, x + 2);
    b.writeBigUInt64LE(BigInt(r.size), x + 4);
    b.writeBigUInt64LE(BigInt(r.packed), x + 12);
    b.writeBigUInt64LE(BigInt(r.offset), x + 20);
    parts.push(b);
  }
  const cdSize = parts.reduce((n, p) => n + p.length, 0);
  const end64At = start + cdSize;
  const tail = Buffer.alloc(56 + 20 + 22);
  tail.writeUInt32LE(0x06064b50, 0);
  tail.writeBigUInt64LE(44n, 4);
  tail.writeUInt16LE((3 << 8) | zip64Version, 12);
  tail.writeUInt16LE(zip64Version, 14);
  tail.writeBigUInt64LE(BigInt(records.length), 24);
  tail.writeBigUInt64LE(BigInt(records.length), 32);
  tail.writeBigUInt64LE(BigInt(cdSize), 40);
  tail.writeBigUInt64LE(BigInt(start), 48);
  tail.writeUInt32LE(0x07064b50, 56);
  tail.writeBigUInt64LE(BigInt(end64At), 64);
  tail.writeUInt32LE(1, 72);
  // The classic record keeps real values where they fit, as zipfile does, for ZIP64-blind readers.
  tail.writeUInt32LE(0x06054b50, 76);
  tail.writeUInt16LE(Math.min(records.length, 0xffff), 84);
  tail.writeUInt16LE(Math.min(records.length, 0xffff), 86);
  tail.writeUInt32LE(Math.min(cdSize, 0xffffffff), 88);
  tail.writeUInt32LE(Math.min(start, 0xffffffff), 92);
  // An empty archive is the classic end record alone: np.load recognises a zip by its first four
  // bytes, which must then be that record's signature.
  parts.push(records.length === 0 ? tail.subarray(76) : tail);
  return Buffer.concat(parts);
}

/** np.load only treats '.npy' entries as arrays; a folder in the name would not round-trip. */
export function checkName(name: string): string {
  if (!/^[^/\\]+\.npy$/.test(name)) {
    throw new Img2npyError('internal', `Expected an entry name like "x.npy" without folders but received ${JSON.stringify(name)}`);
  }
  return name;
}

export function dosDateTime(d: Date): DosTime {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}
