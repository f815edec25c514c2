/**
 * Runs an async task over items with at most `concurrency` in flight and yields the results in
 * input order. At most `concurrency + window` results wait in the reorder buffer, so memory is
 * bounded however many items there are, and a slow consumer stops new work (backpressure).
 * orderedGroups with groups of one item.
 */
import { type Settled, orderedGroups } from './ordered-groups.js';

export type { Settled };

export interface OrderedPoolOptions {
  concurrency: number;
  /** Extra results allowed to wait ahead of the consumer. */
  window?: number;
  signal?: AbortSignal;
}

/**
 * @example
 * for await (const r of orderedPool(files, (f) => decode(f), { concurrency: 4 })) use(r);
 */
export function orderedPool<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  { concurrency, window = concurrency * 2, signal }: OrderedPoolOptions,
): AsyncGenerator<Settled<R>, void, undefined> {
  return orderedGroups(items, async (group, first) => [await task(group[0], first)], { groupSize: () => 1, concurrency, window, signal });
}
