/**
 * Generated splits: how many samples each split gets (largest remainder, so every count is
 * within one sample of its exact share) and, with stratification, the same per class.
 */

/**
 * Splits `n` into parts proportional to `fractions`: each part is the floor of its exact share,
 * and the samples left over go to the parts with the largest remainders (earlier parts on ties).
 * Every part is therefore within one sample of `fraction * n`, and the parts sum to `n`.
 *
 * @example
 * apportion(10, [0.8, 0.1, 0.1]); // [8, 1, 1]
 * apportion(7, [0.5, 0.5]);       // [4, 3]
 */
export function apportion(n: number, fractions: readonly number[]): number[] {
  const total = fractions.reduce((a, b) => a + b, 0);
  // Normalised so fractions that sum to 0.9999999 cannot leave more samples than parts.
  const exact = fractions.map((f) => (f / total) * n);
  const counts = exact.map((e) => Math.floor(e));
  const left = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < left; k++) counts[byRemainder[k % byRemainder.length].i]++;
  return counts;
}

/**
 * Assigns each of `labels.length` samples (already in their final, e.g. shuffled, order) to a
 * part: without stratification the first `apportion(n)[0]` go to part 0 and so on; with it, the
 * same is done class by class, so every class keeps its share in every part.
 *
 * @example
 * assignParts([0, 0, 1, 1], [0.5, 0.5], true); // [0, 1, 0, 1]
 */
export function assignParts(labels: readonly (number | null)[], fractions: readonly number[], stratify: boolean): number[] {
  const part = new Array<number>(labels.length);
  const groups = new Map<number | null, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = stratify ? labels[i] : null;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  for (const members of groups.values()) {
    const counts = apportion(members.length, fractions);
    let k = 0;
    for (const [p, count] of counts.entries()) {
      for (let c = 0; c < count; c++) part[members[k++]] = p;
    }
  }
  return part;
}
