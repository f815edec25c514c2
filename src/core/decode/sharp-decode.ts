/**
 * The one place sharp inputs are opened, so the decoder and the probe read files with the same
 * strictness and limits. sharp's global settings are made where it loads (sharp.ts).
 */
import type { Sharp } from 'sharp';
import { sharp } from './sharp.js';

export interface EncodedInputFlags {
  /** 0 = no limit. */
  maxPixels: number;
  /** Apply the EXIF Orientation tag. */
  autoOrient: boolean;
  /**
   * Use the embedded ICC profile. Off for RGB and grey: we return the values as stored, as PIL,
   * TensorFlow and OpenCV do. On for CMYK, which has no meaning without a profile.
   */
  useIcc: boolean;
  /**
   * Fail on libjpeg/libpng warnings too (corrupt data decoded past): how damaged JPEGs are caught
   * when TurboJPEG is not available.
   */
  failOnWarning?: boolean;
}

/**
 * Opens encoded bytes (or a path, for header-only reads).
 * `failOn: 'error'` turns truncated and corrupt pixel data into errors (with 'none', sharp
 * returns a grey-filled image for a truncated JPEG) while letting through the warnings that many
 * real files carry (stray bytes after the image, bad ancillary chunk CRCs).
 * Only the first page or frame is read: animated GIF/WebP and multi-page TIFF give frame 0.
 *
 * @example
 * const meta = await openEncoded(buffer, { maxPixels: 0, autoOrient: true, useIcc: false }).metadata();
 */
export function openEncoded(input: Buffer | string, flags: EncodedInputFlags): Sharp {
  return sharp(input, {
    failOn: flags.failOnWarning ? 'warning' : 'error',
    limitInputPixels: flags.maxPixels > 0 ? flags.maxPixels : false,
    autoOrient: flags.autoOrient,
    ignoreIcc: !flags.useIcc,
    pages: 1,
    page: 0,
  });
}

/**
 * Opens interleaved uint8 pixels (1-4 bands; 2 and 4 carry alpha). No pixel limit: these pixels
 * are already decoded, and the file's header was checked against the plan's limit before that.
 *
 * @example
 * openRaw(Uint8Array.of(255, 0, 0), 1, 1, 3).resize(2, 2);
 */
export function openRaw(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Sharp {
  return sharp(data, { raw: { width, height, channels }, limitInputPixels: false });
}
