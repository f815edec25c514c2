/**
 * Pixel arithmetic the decoder does itself rather than leave to libvips, each because libvips
 * rounds differently from what we promise:
 * - 16 → 8 bit: libvips shifts right by 8 (65280 → 255); we round v * 255 / 65535 (65280 → 254).
 * - alpha compositing: libvips's flatten truncates; we round.
 * - grayscale: libvips takes luminance in linear light; we use ITU-R 601-2 luma on the stored
 *   values with PIL's integer rounding, so results equal PIL's `convert('L')`.
 */

let table16: Uint8Array | null = null;

/**
 * 16-bit samples to 8-bit with round(v * 255 / 65535), i.e. round(v / 257): 257·k → k,
 * 32896 → 128. Ties cannot occur (v / 257 is never k + 0.5 for integer v).
 *
 * @example
 * to8Bit(Uint16Array.of(0, 32896, 65280, 65535)); // [0, 128, 254, 255]
 */
export function to8Bit(src: Uint16Array): Uint8Array {
  if (!table16) {
    table16 = new Uint8Array(65536);
    for (let v = 0; v < 65536; v++) table16[v] = Math.floor((v + 128) / 257);
  }
  const t = table16;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}

/**
 * Drops the last (alpha) band of interleaved pixels with `bands` colour bands plus alpha,
 * keeping the stored colour under transparent pixels.
 *
 * @example
 * stripAlpha(Uint8Array.of(10, 20, 30, 0), 3); // [10, 20, 30]
 */
export function stripAlpha(src: Uint8Array, bands: number): Uint8Array {
  const stride = bands + 1;
  const n = src.length / stride;
  const out = new Uint8Array(n * bands);
  for (let i = 0, o = 0, s = 0; i < n; i++, s += stride) for (let c = 0; c < bands; c++) out[o++] = src[s + c];
  return out;
}

/**
 * Composites pixels with `bands` colour bands plus alpha over a solid `background` (0-255):
 * round((c·a + bg·(255 − a)) / 255).
 *
 * @example
 * flattenAlpha(Uint8Array.of(200, 100, 50, 128), 3, 255); // [227, 177, 152]
 */
export function flattenAlpha(src: Uint8Array, bands: number, background: number): Uint8Array {
  const stride = bands + 1;
  const n = src.length / stride;
  const out = new Uint8Array(n * bands);
  for (let i = 0, o = 0, s = 0; i < n; i++, s += stride) {
    const a = src[s + bands];
    const rest = background * (255 - a) + 127;
    // floor((x + 127) / 255) is round(x / 255) for integers, with no ties to break.
    for (let c = 0; c < bands; c++) out[o++] = Math.floor((src[s + c] * a + rest) / 255);
  }
  return out;
}

/**
 * RGB to one luma band, L = (19595 R + 38470 G + 7471 B + 32768) >> 16, PIL's fixed-point form
 * of 0.299 R + 0.587 G + 0.114 B. With `alpha`, a fourth band is carried over.
 *
 * @example
 * rgbToLuma(Uint8Array.of(255, 0, 0), false); // [76]
 */
export function rgbToLuma(src: Uint8Array, alpha: boolean): Uint8Array {
  const stride = alpha ? 4 : 3;
  const n = src.length / stride;
  const out = new Uint8Array(n * (alpha ? 2 : 1));
  for (let i = 0, o = 0, s = 0; i < n; i++, s += stride) {
    out[o++] = (src[s] * 19595 + src[s + 1] * 38470 + src[s + 2] * 7471 + 0x8000) >>> 16;
    if (alpha) out[o++] = src[s + 3];
  }
  return out;
}

/**
 * Grey or rgb, with or without alpha, to rgb or rgba: grey is repeated, alpha kept, or 255
 * where there was none.
 *
 * @example
 * widen(Uint8Array.of(7), 1, false, 3); // [7, 7, 7]
 */
export function widen(src: Uint8Array, colour: number, hasAlpha: boolean, outBands: 3 | 4): Uint8Array {
  const stride = colour + (hasAlpha ? 1 : 0);
  const n = src.length / stride;
  const out = new Uint8Array(n * outBands);
  if (outBands === 4) out.fill(255);
  const g = colour === 3 ? 1 : 0;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += stride, o += outBands) {
    out[o] = src[s];
    out[o + 1] = src[s + g];
    out[o + 2] = src[s + g + g];
    if (hasAlpha) out[o + 3] = src[s + colour];
  }
  return out;
}

/**
 * CMYK as libjpeg returns it to rgb, as PIL (`convert('RGB')`) and TensorFlow's decode_jpeg do
 * when no profile says otherwise: R = (255 − C)(255 − K)/255 with PIL's MULDIV255 rounding.
 * `inverted`: the samples are stored inverted (Adobe APP14, as Photoshop writes them), which
 * libjpeg does not undo and PIL does ("CMYK;I").
 *
 * @example
 * cmykToRgb(Uint8Array.of(0, 255, 255, 0), false); // [255, 0, 0]
 */
export function cmykToRgb(src: Uint8Array, inverted: boolean): Uint8Array {
  const n = src.length >> 2;
  const out = new Uint8Array(n * 3);
  const flip = inverted ? 255 : 0;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 4) {
    const nk = 255 - (src[s + 3] ^ flip);
    for (let c = 0; c < 3; c++) {
      const t = (src[s + c] ^ flip) * nk + 128;
      out[o++] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return out;
}
