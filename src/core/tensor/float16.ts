/**
 * IEEE 754 binary16 ("half") encoding without a Float16Array (Node 20 has none). The conversion
 * works on float32 bit patterns so it rounds exactly once, from the float32 value, which is what
 * NumPy's `float32_array.astype(np.float16)` does.
 */

/** True on every platform Node ships for today; kept so big-endian hosts still write `<` data. */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Scratch views for the scalar helpers; one float32 reinterpreted as its bits. */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Half bits of one float32 bit pattern: round-to-nearest-even, gradual underflow to subnormals,
 * overflow to ±Infinity, NaN kept as NaN (top payload bits kept, as NumPy does).
 */
function halfBitsFromFloat32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) {
    if (mant === 0) return sign | 0x7c00;
    // A payload living only in the low 13 bits would truncate to 0 = Infinity; keep it a NaN.
    return sign | 0x7c00 | (mant >>> 13 || 1);
  }
  const e = exp - 112; // re-biased exponent: float32 bias 127, half bias 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Result is a half subnormal (or zero): the value in units of 2^-24 is full / 2^shift.
    const shift = 126 - exp;
    if (shift > 24) return sign; // below half of the smallest subnormal, so rounds to zero
    const full = mant | 0x800000;
    let q = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (q & 1) === 1)) q += 1;
    return sign | q; // q may reach 0x400, which is exactly the smallest normal's bits
  }
  let q = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (q & 1) === 1)) q += 1; // a carry into the exponent is correct, up to 0x7c00 = Infinity
  return sign | q;
}

/**
 * Encodes float32 values as IEEE half bits (round-to-nearest-even).
 *
 * @example
 * float32ToFloat16Bits(new Float32Array([1, 65520, 1e-8])) // Uint16Array [0x3c00, 0x7c00, 0x0000]
 */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfBitsFromFloat32Bits(bits[i]);
  return out;
}

/**
 * Half bits of one number, rounded first to float32 and then to half (the same path a float32
 * tensor takes). A double that is not a float32 may round differently from a direct double → half.
 *
 * @example
 * toFloat16Bits(-2) // 0xc000
 */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  return halfBitsFromFloat32Bits(u32[0]);
}

/**
 * Decodes half bits to a number (exact: every half is a double).
 *
 * @example
 * fromFloat16Bits(0x0001) // 5.960464477539063e-8, the smallest subnormal
 */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/**
 * Little-endian bytes of half bits, ready for a `<f2` array.
 *
 * @example
 * float16Bytes(float32ToFloat16Bits(new Float32Array([1]))) // Uint8Array [0x00, 0x3c]
 */
export function float16Bytes(bits: Uint16Array): Uint8Array {
  if (hostIsLittleEndian) return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  const out = new Uint8Array(bits.length * 2);
  for (let i = 0; i < bits.length; i++) {
    out[2 * i] = bits[i] & 0xff;
    out[2 * i + 1] = bits[i] >>> 8;
  }
  return out;
}
