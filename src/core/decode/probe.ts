/**
 * Header-only image size, as `decodeImage` will return it before any geometry: EXIF orientations
 * 5-8 swap width and height when EXIF is applied. Used to size the canvas for resize 'none'
 * without decoding pixels, so it reads only the first bytes of each file.
 */
import { open } from 'node:fs/promises';
import { bmpHeaderReadLength, parseBmpHeader } from './bmp.js';
import { fromSharpError, unreadable } from './errors.js';
import { openEncoded } from './sharp-decode.js';
import { sniffFormat, sniffLength } from './sniff.js';
import type { ImageProbe } from '../types.js';

async function readHead(abs: string, length: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(abs, 'r');
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw unreadable(abs, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  } finally {
    await handle?.close();
  }
}

/**
 * Reads an image's size from its header.
 *
 * @example
 * await probeImage('/data/cat/portrait.jpg', { exif: true }); // { width: 3024, height: 4032 }
 * @throws {Img2npyError} unreadable-image for empty, non-image, unsupported or damaged headers
 */
export async function probeImage(abs: string, options: { exif: boolean }): Promise<ImageProbe> {
  const head = await readHead(abs, Math.max(sniffLength, bmpHeaderReadLength));
  const sniffed = sniffFormat(head.subarray(0, sniffLength));
  if (!sniffed.ok) throw unreadable(abs, sniffed.problem);
  if (sniffed.format === 'bmp') {
    const h = parseBmpHeader(head, abs);
    return { width: h.width, height: h.height };
  }
  // A path, not a buffer: libvips reads the header and stops.
  return probeHeader(abs, abs, sniffed.format, options);
}

/**
 * probeImage for an image already in memory (an archive member); `name` stands for it in messages.
 * @example await probeImageBytes(bytes, '/data/ds.zip/cat/1.jpg', { exif: true }); // { width: 640, height: 480 }
 * @throws {Img2npyError} as probeImage.
 */
export async function probeImageBytes(bytes: Buffer, name: string, options: { exif: boolean }): Promise<ImageProbe> {
  const sniffed = sniffFormat(bytes.subarray(0, sniffLength));
  if (!sniffed.ok) throw unreadable(name, sniffed.problem);
  if (sniffed.format === 'bmp') {
    const h = parseBmpHeader(bytes.subarray(0, bmpHeaderReadLength), name);
    return { width: h.width, height: h.height };
  }
  return probeHeader(bytes, name, sniffed.format, options);
}

async function probeHeader(input: Buffer | string, name: string, format: Parameters<typeof fromSharpError>[1], options: { exif: boolean }): Promise<ImageProbe> {
  try {
    const meta = await openEncoded(input, { maxPixels: 0, autoOrient: false, useIcc: false }).metadata();
    return options.exif ? { width: meta.autoOrient.width, height: meta.autoOrient.height } : { width: meta.width, height: meta.height };
  } catch (err) {
    throw fromSharpError(name, format, err);
  }
}
