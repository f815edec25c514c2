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
  let emit = 0;
  let stopped = false;
  let wake: (() => void) | null = null;

  // Refill whenever any task ends, not only the one at the head, so a slow image does not idle
  // the other decoders; and from the task's end itself, not when the consumer next asks, so the
  // decoders stay fed while the consumer awaits (a batch's write). The window caps how far
  // ahead of the consumer we run.
  const refill = () => {
    while (!stopped && !signal?.aborted && next < items.length && running < limit && next - emit < ahead) start(next++);
  };
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
        refill();
        wake?.();
      });
  };

  try {
    for (; emit < items.length; emit++) {
      for (;;) {
        signal?.throwIfAborted();
        refill();
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
    stopped = true;
    while (running > 0) await new Promise<void>((resolve) => (wake = resolve));
  }
}
