/** 8-bit pixels to PNG, for previews, inspector tiles and contact sheets. */
import { sharp } from '../decode/sharp.js';
import type { DecodedImage } from '../types.js';

export function toPng(img: DecodedImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toBuffer();
}

/** A data: URL the renderer can show under its CSP (img-src data:). */
export async function toPngDataUrl(img: DecodedImage): Promise<string> {
  return `data:image/png;base64,${(await toPng(img)).toString('base64')}`;
}
