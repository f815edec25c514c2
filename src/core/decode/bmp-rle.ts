/**
 * RLE8 and RLE4 pixel data of BMP files, expanded to one palette index per pixel. Kept apart from
 * bmp.ts because the escape codes are the only stateful part of the format.
 */

export interface RleResult {
  /** Palette indices, `width * height`, rows in file order (bottom row first for bottom-up). */
  indices: Uint8Array;
  /** False when the data ran out before the end-of-bitmap code and before the last row. */
  complete: boolean;
}

/**
 * Expands RLE8 (`bits` 8) or RLE4 (`bits` 4) data. Pixels the data skips with delta or
 * end-of-line codes keep index 0, as PIL leaves them; runs past the row end are clipped.
 *
 * @example
 * decodeRle(Uint8Array.of(3, 7, 0, 1), 8, 4, 1).indices; // [7, 7, 7, 0]
 */
export function decodeRle(data: Uint8Array, bits: 4 | 8, width: number, height: number): RleResult {
  const indices = new Uint8Array(width * height);
  let x = 0;
  let y = 0;
  let p = 0;
  const put = (v: number) => {
    if (x < width && y < height) indices[y * width + x] = v;
    x++;
  };
  while (p + 1 < data.length && y < height) {
    const count = data[p];
    const value = data[p + 1];
    p += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) put(bits === 8 ? value : i % 2 === 0 ? value >> 4 : value & 15);
      continue;
    }
    if (value === 0) {
      x = 0;
      y++;
    } else if (value === 1) {
      return { indices, complete: true };
    } else if (value === 2) {
      if (p + 1 >= data.length) break;
      x += data[p];
      y += data[p + 1];
      p += 2;
    } else {
      // Absolute mode: `value` literal pixels, padded to a 16-bit boundary.
      const bytes = bits === 8 ? value : Math.ceil(value / 2);
      if (p + bytes > data.length) break;
      for (let i = 0; i < value; i++) {
        put(bits === 8 ? data[p + i] : i % 2 === 0 ? data[p + (i >> 1)] >> 4 : data[p + (i >> 1)] & 15);
      }
      p += bytes + (bytes % 2);
    }
  }
  return { indices, complete: y >= height || (y === height - 1 && x >= width) };
}
