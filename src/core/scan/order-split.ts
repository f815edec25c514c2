/**
 * Sample order and the train/validation split. Shuffling uses NumPy's legacy MT19937 so a seed
 * gives the permutation `np.random.RandomState(seed).shuffle` gives, which is what Keras uses.
 */
import type { ConvertOptions } from '../../shared/options.js';
import { MT19937 } from './mt19937.js';
import { drawSeed, shuffleInPlace } from './shuffle.js';
import { splitCounts } from './split.js';
import type { ScannedFile, SubsetName } from '../types.js';

export interface OrderedSplit {
  /** The seed used, drawn when needed and not given; null when nothing was random. */
  seed: number | null;
  warnings: string[];
  subsets: Record<SubsetName, ScannedFile[]>;
}

export function orderAndSplit(files: ScannedFile[], options: ConvertOptions): OrderedSplit {
  const random = options.shuffle;
  const seed = random ? (options.seed ?? drawSeed()) : options.seed;
  const ordered = [...files];
  if (random) shuffleInPlace(ordered, new MT19937(seed!));
  const { training: trainCount, tooFewForValidation } = splitCounts(ordered.length, options.validationSplit);
  const warnings = tooFewForValidation
    ? [`validation split ${options.validationSplit} of ${ordered.length} images is less than one image: all go to training (Keras would fail here)`]
    : [];
  return {
    seed,
    warnings,
    subsets: { all: ordered, train: ordered.slice(0, trainCount), val: ordered.slice(trainCount) },
  };
}
