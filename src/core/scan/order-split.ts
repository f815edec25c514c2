/**
 * Sample order and the split into outputs. Shuffling uses NumPy's legacy MT19937 so a seed gives
 * the permutation `np.random.RandomState(seed).shuffle` gives, which is what Keras uses.
 * Three kinds of split: `validationSplit` (Keras's arithmetic, the last samples), `split`
 * (2 or 3 fractions, largest remainder, optionally per class) and split folders found by the scan.
 */
import { Img2npyError } from '../../shared/errors.js';
import type { ConvertOptions } from '../../shared/options.js';
import { assignParts } from './apportion.js';
import { MT19937 } from './mt19937.js';
import { drawSeed, shuffleInPlace } from './shuffle.js';
import { splitCounts } from './split.js';
import type { ScannedFile, SubsetName } from '../types.js';

export interface OrderedSplit {
  /** The seed used, drawn when needed and not given; null when nothing was random. */
  seed: number | null;
  warnings: string[];
  /** 'all' plus every split made (train/val/test or the split folders' names). */
  subsets: Record<SubsetName, ScannedFile[]>;
  /** The split outputs in writing order; empty when there is no split. */
  splitNames: SubsetName[];
}

const generatedNames = ['train', 'val', 'test'];

/**
 * Orders `files` and splits them. `folderSplits` are the split folders the scan found (in
 * order), or empty.
 *
 * @example
 * const { subsets } = orderAndSplit(scan.files, options, scan.layout.splits, scan.classNames);
 * @throws {Img2npyError} `invalid-option` when a generated split is asked for on split folders.
 */
export function orderAndSplit(files: ScannedFile[], options: ConvertOptions, folderSplits: readonly string[] = [], classNames: readonly string[] = []): OrderedSplit {
  const fractions = options.split ?? null;
  const generated = fractions !== null || options.validationSplit > 0;
  if (generated && folderSplits.length > 0) {
    const flag = fractions !== null ? '--split' : '--validation-split';
    throw new Img2npyError(
      'invalid-option',
      `The input is already split into folders (${folderSplits.join(', ')}); ${flag} would split it again. Convert one split folder as the input, or use --no-split-folders to treat them as classes`,
      { option: fractions !== null ? 'split' : 'validationSplit' },
    );
  }
  const random = options.shuffle;
  const seed = random ? (options.seed ?? drawSeed()) : options.seed;
  const rng = random ? new MT19937(seed!) : null;
  const warnings: string[] = [];

  if (folderSplits.length > 0) {
    const subsets: Record<SubsetName, ScannedFile[]> = { all: files };
    for (const name of folderSplits) {
      const part = files.filter((f) => f.split === name);
      subsets[name] = rng ? shuffleInPlace(part, rng) : part;
    }
    classGaps(folderSplits, files, classNames, warnings);
    return { seed, warnings, subsets, splitNames: [...folderSplits] };
  }

  const ordered = [...files];
  if (rng) shuffleInPlace(ordered, rng);
  if (!generated) return { seed, warnings, subsets: { all: ordered }, splitNames: [] };

  const stratify = options.stratify && files.some((f) => f.label !== null);
  if (options.stratify && !stratify) warnings.push('stratify (--stratify) needs labels; with labels none the split ignores it');
  let names: string[];
  let part: number[];
  if (fractions === null && !stratify) {
    // Keras's arithmetic: validation = the last int(v * n) samples.
    const { training, tooFewForValidation } = splitCounts(ordered.length, options.validationSplit);
    if (tooFewForValidation) warnings.push(`validation split ${options.validationSplit} of ${ordered.length} images is less than one image: all go to training (Keras would fail here)`);
    names = ['train', 'val'];
    part = ordered.map((_, i) => (i < training ? 0 : 1));
  } else {
    const f = fractions ?? [1 - options.validationSplit, options.validationSplit];
    names = generatedNames.slice(0, f.length);
    part = assignParts(ordered.map((x) => x.label), f, stratify);
  }
  const subsets: Record<SubsetName, ScannedFile[]> = { all: ordered };
  names.forEach((name, p) => (subsets[name] = ordered.filter((_, i) => part[i] === p)));
  if (!random) warnings.push(...fileOrderWarning(names, subsets, classNames));
  const splitNames = fractions === null && options.subset !== 'both' ? [options.subset === 'training' ? 'train' : 'val'] : names;
  classGaps(splitNames, splitNames.flatMap((n) => subsets[n].map((x) => ({ ...x, split: n }))), classNames, warnings);
  return { seed, warnings, subsets, splitNames };
}

/** A split in file order takes whole classes: say which classes each split got. */
function fileOrderWarning(names: string[], subsets: Record<SubsetName, ScannedFile[]>, classNames: readonly string[]): string[] {
  if (classNames.length === 0) return ['shuffle off (--no-shuffle): the split follows file order, so every split holds a different run of files'];
  const held = names.map((n) => {
    const present = [...new Set(subsets[n].map((f) => f.label!))].sort((a, b) => a - b).map((l) => classNames[l]);
    return `${n} holds ${present.length === classNames.length ? 'every class' : present.length ? `only ${present.slice(0, 8).join(', ')}${present.length > 8 ? ` and ${present.length - 8} more` : ''}` : 'no images'}`;
  });
  return [`shuffle off (--no-shuffle): the split follows file order, which is class order: ${held.join('; ')}`];
}

/** Classes with no image in a split keep their index; the user hears which. */
function classGaps(names: readonly string[], files: ScannedFile[], classNames: readonly string[], warnings: string[]): void {
  if (classNames.length === 0) return;
  for (const name of names) {
    const seen = new Set(files.filter((f) => f.split === name).map((f) => f.label));
    const missing = classNames.filter((_, i) => !seen.has(i));
    if (missing.length > 0 && missing.length < classNames.length) {
      warnings.push(`Split ${name} has no images of class${missing.length === 1 ? '' : 'es'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} (they keep their index)`);
    }
  }
}
