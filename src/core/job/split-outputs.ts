/** What a job with several outputs (split folders, generated splits) tells the user before writing. */
import { basename } from 'node:path';
import type { ScannedFile, SubsetName } from '../types.js';
import { type OutputLayout, outputPath } from './output-paths.js';

/**
 * One line naming each split, its size and the output it goes to.
 * @example announceSplits(layout, ['train', 'test'], subsets) // "Writing 2 outputs: train (80) → ds-train.npz, test (20) → ds-test.npz"
 */
export function announceSplits(layout: OutputLayout, splitNames: readonly SubsetName[], subsets: Record<SubsetName, ScannedFile[]>): string {
  const parts = splitNames.map((n) => `${n} (${subsets[n].length}) → ${basename(outputPath(layout, n))}`);
  return `Writing ${splitNames.length} output${splitNames.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
