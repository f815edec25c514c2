/**
 * Runs an async task over items with at most `concurrency` in flight and yields the results in
 * input order. At most `concurrency + window` results wait in the reorder buffer, so memory is
 * bounded however many items there are, and a slow consumer stops new work (backpressure).
 */
export type Settled<R> = ({ ok: true; value: R } | { ok: false; error: unknown }) & { index: number };

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
export async function* orderedPool<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  { concurrency, window = concurrency * 2, signal }: OrderedPoolOptions,
): AsyncGenerator<Settled<R>, void, undefined> {
  const limit = Math.max(1, concurrency);
  const ahead = limit + Math.max(0, window);
  const done = new Map<number, Settled<R>>();
  let next = 0;
  let running = 0;
  let wake: (() => void) | null = null;

  const start = (i: number) => {
    running++;
    task(items[i], i)
      .then(
        (value): Settled<R> => ({ ok: true, value, index: i }),
        (error): Settled<R> => ({ ok: false, error, index: i }),
      )
      .then((r) => {
        running--;
        done.set(i, r);
        wake?.();
      });
  };

  try {
    for (let emit = 0; emit < items.length; emit++) {
      // Refill whenever any task ends, not only the one at the head, so a slow image does not
      // idle the other decoders; the window caps how far ahead of the consumer we run.
      for (;;) {
        signal?.throwIfAborted();
        while (next < items.length && running < limit && next - emit < ahead) start(next++);
        if (done.has(emit)) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      const result = done.get(emit)!;
      done.delete(emit);
      yield result;
    }
  } finally {
    // Let work already started finish before returning, so no task outlives the job's cleanup.
    while (running > 0) await new Promise<void>((resolve) => (wake = resolve));
  }
}
