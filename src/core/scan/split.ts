/**
 * Training/validation split with Keras's arithmetic (`get_training_or_validation_split`):
 * `num_val = int(validation_split * n)`, validation = the last num_val samples of the (already
 * shuffled) list, training = the rest. JS numbers are the same IEEE doubles as Python floats and
 * `*` rounds the same way, so `Math.trunc(split * n)` equals Python's `int(split * n)`, including
 * its surprises: 0.29 * 100 is 28.999999999999996, so 28 samples, not 29.
 */
import { Img2npyError } from '../../shared/errors.js';

export interface SplitCounts {
  training: number;
  validation: number;
  /**
   * True when 0 < validationSplit but `int(validationSplit * n)` is 0. Keras then slices
   * `samples[:-0]` (empty) for training and `samples[-0:]` (everything) for validation, and
   * `image_dataset_from_directory` raises "No training images found" for subset training/both.
   * We keep every sample for training and none for validation instead; callers should warn.
   */
  tooFewForValidation: boolean;
}

/**
 * How many of `n` samples go to training and to validation.
 *
 * @example
 * splitCounts(10, 0.3); // { training: 7, validation: 3, tooFewForValidation: false }
 * splitCounts(3, 0.1);  // { training: 3, validation: 0, tooFewForValidation: true }
 * @throws {Img2npyError} `invalid-option` (option `validationSplit`) unless 0 <= split < 1,
 *   or when n is not a non-negative integer.
 */
export function splitCounts(n: number, validationSplit: number): SplitCounts {
  if (!Number.isInteger(n) || n < 0) {
    throw new Img2npyError('invalid-option', `Expected a non-negative integer sample count but received ${n}`);
  }
  if (typeof validationSplit !== 'number' || !Number.isFinite(validationSplit) || validationSplit < 0 || validationSplit >= 1) {
    throw new Img2npyError(
      'invalid-option',
      `Expected number from 0 to below 1 for validationSplit but received ${String(validationSplit)} of type ${typeof validationSplit}`,
      { option: 'validationSplit' },
    );
  }
  // Keras tests `if not validation_split`: 0 means no split at all.
  if (validationSplit === 0) return { training: n, validation: 0, tooFewForValidation: false };
  const validation = Math.trunc(validationSplit * n);
  if (validation === 0) return { training: n, validation: 0, tooFewForValidation: n > 0 };
  return { training: n - validation, validation, tooFewForValidation: false };
}

/**
 * Splits an ordered list (shuffle first, as Keras does) into training = all but the last
 * `int(split * n)` items and validation = those last items.
 *
 * @example
 * splitSamples(['a', 'b', 'c', 'd', 'e'], 0.4); // { training: ['a','b','c'], validation: ['d','e'] }
 * @throws {Img2npyError} `invalid-option` as `splitCounts`.
 */
export function splitSamples<T>(items: readonly T[], validationSplit: number): { training: T[]; validation: T[]; counts: SplitCounts } {
  const counts = splitCounts(items.length, validationSplit);
  return {
    training: items.slice(0, counts.training),
    validation: items.slice(counts.training),
    counts,
  };
}
