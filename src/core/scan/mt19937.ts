/**
 * The 32-bit Mersenne Twister as NumPy's legacy `np.random.RandomState(seed)` runs it, so that
 * a seed shuffles files into the same order Keras gets. Only integer seeding is needed: Keras
 * always passes a Python int (its own `np.random.randint(1e6)` or the user's seed).
 */
import { Img2npyError } from '../../shared/errors.js';

const n = 624;
const m = 397;
const matrixA = 0x9908b0df;
const upperMask = 0x80000000;
const lowerMask = 0x7fffffff;

/** A snapshot comparable with `RandomState.get_state()`: `('MT19937', key, pos, ...)`. */
export interface MT19937State {
  key: Uint32Array;
  pos: number;
}

/**
 * Mersenne Twister MT19937 seeded like `np.random.RandomState(seed)` (Matsumoto and
 * Nishimura's `init_genrand`), producing the same 32-bit words as NumPy's legacy generator.
 *
 * @example
 * const rng = new MT19937(42);
 * rng.nextUint32(); // 1608637542, as np.random.RandomState(42).randint(0, 2**32, dtype=np.uint32)
 * @throws {Img2npyError} `invalid-option` (option `seed`) unless seed is an integer in 0..2^32-1,
 *   the range NumPy accepts.
 */
export class MT19937 {
  private readonly key = new Uint32Array(n);
  private pos = n;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Img2npyError('invalid-option', `Expected integer between 0 and 4294967295 for seed but received ${String(seed)} of type ${typeof seed}`, { option: 'seed' });
    }
    const key = this.key;
    key[0] = seed >>> 0;
    for (let i = 1; i < n; i++) {
      const prev = key[i - 1];
      // Math.imul keeps the product modulo 2^32, which is what the C code's unsigned
      // arithmetic does; a plain multiply would lose low bits above 2^53.
      key[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    // NumPy sets pos = 624 after seeding, so the first draw regenerates the whole block.
    this.pos = n;
  }

  /** The next raw 32-bit output (what NumPy's `next_uint32` returns). */
  nextUint32(): number {
    if (this.pos >= n) this.reload();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A copy of the internal state, for checking against NumPy's `get_state()`. */
  getState(): MT19937State {
    return { key: this.key.slice(), pos: this.pos };
  }

  private reload(): void {
    const key = this.key;
    let kk = 0;
    for (; kk < n - m; kk++) {
      const y = (key[kk] & upperMask) | (key[kk + 1] & lowerMask);
      key[kk] = key[kk + m] ^ (y >>> 1) ^ (y & 1 ? matrixA : 0);
    }
    for (; kk < n - 1; kk++) {
      const y = (key[kk] & upperMask) | (key[kk + 1] & lowerMask);
      key[kk] = key[kk + (m - n)] ^ (y >>> 1) ^ (y & 1 ? matrixA : 0);
    }
    const y = (key[n - 1] & upperMask) | (key[0] & lowerMask);
    key[n - 1] = key[m - 1] ^ (y >>> 1) ^ (y & 1 ? matrixA : 0);
    this.pos = 0;
  }
}
