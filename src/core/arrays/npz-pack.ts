/**
 * The .npz format img2npy writes, and packing finished .npy files into one. Conversions stream x
 * straight into its archive instead (zip-writer.ts, npz-stream.ts); both write this layout.
 *
 * Every entry is ZIP64, whatever its size. NumPy's `np.savez` opens each entry with zipfile's
 * `force_zip64=True`, which puts the ZIP64 extra field (0x0001) in the local header only, next
 * to 32-bit sizes that still hold the real values; the central header gets it only past 4 GiB.
 * Here the local header has the extra with both sizes and 0xFFFFFFFF in the 32-bit fields (as
 * the zip spec asks when the extra is present), the central header has it with sizes and
 * offset, and a ZIP64 end record precedes the classic one (except in an empty archive, which
 * np.load recognises only by the classic record's signature). One layout for all sizes means
 * the >4 GiB path is the path every test runs. As zipfile does on a seekable file, the local
 * header is written first and patched with CRC and sizes once the data is in, so no data
 * descriptor is needed.
 *
 * Why not yazl: its `forceZip64Format` adds the extra field to central headers only; local
 * headers get none, yet their data descriptors carry 8-byte sizes, which readers that walk
 * local headers (streaming unzippers) then take as 4-byte sizes.
 */
import { Img2npyError } from '../../shared/errors.js';
import { centralExtra, centralFixed, checkName, localExtra, localFixed } from './zip-records.js';
import { ZipWriter } from './zip-writer.js';

export interface NpzEntry {
  /** Entry name in the archive, as `np.savez` names them: 'x.npy' is the array `np.load(dest)['x']`. */
  name: string;
  /** A finished .npy file. */
  file: string;
}

export interface PackOptions {
  /** DEFLATE like `np.savez_compressed` (zlib level 6); otherwise stored like `np.savez`. */
  compress: boolean;
  signal?: AbortSignal;
}

/**
 * Builds `dest` from the given .npy files, in order. The partial file is removed on any failure.
 * @example await packNpz([{ name: 'x.npy', file: tmpX }, { name: 'y.npy', file: tmpY }], 'data.npz', { compress: false });
 * @throws {Img2npyError} cancelled when `signal` aborts; write-failed naming `dest` when a
 *   source cannot be read or `dest` cannot be written; internal for bad or repeated names.
 */
export async function packNpz(entries: readonly NpzEntry[], dest: string, options: PackOptions): Promise<{ bytes: number }> {
  const names = entries.map((e) => checkName(e.name));
  if (new Set(names).size !== names.length) throw new Img2npyError('internal', `Expected distinct array names but received ${names.join(', ')}`);
  const zip = await ZipWriter.create(dest, options);
  try {
    for (const entry of entries) await zip.addFile(entry.name, entry.file);
    return await zip.close();
  } catch (err) {
    await zip.abort();
    throw err;
  }
}

/**
 * Size of the stored (uncompressed) .npz `packNpz` builds from .npy files of these sizes: for a
 * dry run to say what a conversion will write without writing it.
 * @example storedNpzBytes([{ name: 'x.npy', bytes: 1152 }]) // 1152 + 2 × 5 + 124 + 98
 */
export function storedNpzBytes(entries: readonly { name: string; bytes: number }[]): number {
  let total = entries.length === 0 ? 22 : 56 + 20 + 22;
  for (const e of entries) total += e.bytes + localFixed + localExtra + centralFixed + centralExtra + 2 * Buffer.byteLength(e.name, 'utf8');
  return total;
}
