/**
 * Shuffles that reproduce `np.random.RandomState(seed).shuffle(x)` bit for bit. Keras shuffles
 * its list of file paths (and, with a second RandomState of the same seed, its label array)
 * this way, so the same seed gives the same order here as there.
 */
import { randomInt } from 'node:crypto';
import { Img2npyError } from '../../shared/errors.js';
import { MT19937 } from './mt19937.js';

/** Anything indexable and writable: arrays and typed arrays. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * A uniform integer in 0..max inclusive, drawn as NumPy's `random_interval` draws it: mask the
 * raw 32-bit output down to the smallest all-ones mask covering `max` and reject values above
 * `max`. Any other method (modulo, Lemire, floats) gives a different sequence.
 *
 * @example
 * randomInterval(new MT19937(0), 9); // 0..9
 * @throws {RangeError} when max is not an integer in 0..2^32-1 (NumPy would switch to 64-bit
 *   draws above that; no JS array is that long).
 */
export function randomInterval(rng: MT19937, max: number): number {
  if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
    throw new RangeError(`Expected integer between 0 and 4294967295 for max but received ${max}`);
  }
  if (max === 0) return 0;
  let mask = max >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  let value: number;
  do {
    value = (rng.nextUint32() & mask) >>> 0;
  } while (value > max);
  return value;
}

/**
 * Shuffles `items` in place exactly as `RandomState.shuffle` does for a list or a 1-D array:
 * for i from n-1 down to 1, swap item i with item `random_interval(i)`. Returns `items`.
 *
 * @example
 * shuffleInPlace(['a', 'b', 'c'], new MT19937(1337));
 */
export function shuffleInPlace<T, A extends MutableArrayLike<T>>(items: A, rng: MT19937): A {
  for (let i = items.length - 1; i >= 1; i--) {
    const j = randomInterval(rng, i);
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  }
  return items;
}

/**
 * A shuffled copy of `items`, as Keras's `RandomState(seed).shuffle(file_paths)` leaves them.
 *
 * @example
 * shuffledWithSeed(['a/1.jpg', 'b/2.jpg'], 123);
 * @throws {Img2npyError} `invalid-option` for a seed outside 0..2^32-1.
 */
export function shuffledWithSeed<T>(items: readonly T[], seed: number): T[] {
  return shuffleInPlace(items.slice(), new MT19937(seed));
}

/**
 * `np.random.RandomState(seed).permutation(n)`: the order in which a shuffle with `seed` puts
 * the indices 0..n-1.
 *
 * @example
 * permutation(5, 42); // [1, 4, 2, 0, 3]
 * @throws {Img2npyError} `invalid-option` for a seed outside 0..2^32-1 or a bad n.
 */
export function permutation(n: number, seed: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new Img2npyError('invalid-option', `Expected a non-negative integer length but received ${n}`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  return shuffleInPlace(order, new MT19937(seed));
}

/**
 * A fresh seed in 0..999999, the range Keras draws from with `np.random.randint(1e6)` when the
 * user gives none. Reported to the user so the run can be repeated.
 *
 * @example
 * const seed = options.seed ?? drawSeed();
 */
export function drawSeed(): number {
  return randomInt(0, 1_000_000);
}
