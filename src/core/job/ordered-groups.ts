/**
 * orderedPool (ordered-pool.ts) over runs of consecutive items: each task takes the next
 * `groupSize()` items at once and answers one value per item, and the results come out one per
 * item, in input order. The size is asked as each group starts, so it may follow what has been
 * measured so far (the decoder threads' time per image: many small images to a group, one large
 * photo each, so no thread is left with a long group at the end while the others idle).
 * Beyond the group being consumed, at most `concurrency` groups run and `window` more wait
 * done: memory stays bounded and a slow consumer stops new work.
 */
/** One item's outcome, with its index in the input. */
export type Settled<R> = ({ ok: true; value: R } | { ok: false; error: unknown }) & { index: number };

export interface OrderedGroupsOptions {
  /** Items in the next group (at least 1). */
  groupSize: () => number;
  /** Groups in flight. */
  concurrency: number;
  /** Extra groups allowed to wait done ahead of the consumer. */
  window?: number;
  signal?: AbortSignal;
}

interface Group<R> {
  end: number;
  results?: R[];
  error?: unknown;
}

/**
 * @example
 * for await (const r of orderedGroups(files, (g) => decodeAll(g), { groupSize: () => 16, concurrency: 6 })) use(r);
 */
export async function* orderedGroups<T, R>(
  items: readonly T[],
  task: (group: T[], first: number) => Promise<R[]>,
  { groupSize, concurrency, window = concurrency * 2, signal }: OrderedGroupsOptions,
): AsyncGenerator<Settled<R>, void, undefined> {
  const limit = Math.max(1, concurrency);
  const ahead = limit + Math.max(0, window);
  const groups = new Map<number, Group<R>>();
  let next = 0;
  let running = 0;
  let started = 0;
  let emitted = 0;
  let stopped = false;
  let wake: (() => void) | null = null;

  const refill = () => {
    while (!stopped && !signal?.aborted && next < items.length && running < limit && started - emitted < ahead) start();
  };
  const start = () => {
    const first = next;
    const asked = Math.floor(groupSize());
    const end = Math.min(items.length, first + (asked >= 1 ? asked : 1));
    next = end;
    running++;
    started++;
    const group: Group<R> = { end };
    groups.set(first, group);
    // A task that throws instead of rejecting still settles its group.
    Promise.resolve()
      .then(() => task(items.slice(first, end), first))
      .then(
        (results) => {
          if (results.length !== end - first) throw new Error(`a group of ${end - first} answered ${results.length} results`);
          group.results = results;
        },
        (error: unknown) => {
          group.error = error;
        },
      )
      .catch((error: unknown) => {
        group.error = error;
      })
      .then(() => {
        running--;
        refill();
        wake?.();
      });
  };

  try {
    for (let at = 0; at < items.length; ) {
      let group: Group<R> | undefined;
      for (;;) {
        signal?.throwIfAborted();
        refill();
        group = groups.get(at);
        if (group && (group.results || 'error' in group)) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      groups.delete(at);
      emitted++;
      for (let i = at; i < group.end; i++) {
        // Within a group too: a cancelled job takes no more of its rows.
        if (i > at) signal?.throwIfAborted();
        yield group.results ? { ok: true, value: group.results[i - at], index: i } : { ok: false, error: group.error, index: i };
      }
      at = group.end;
    }
  } finally {
    // Let work already started finish before returning, so no task outlives the job's cleanup.
    stopped = true;
    while (running > 0) await new Promise<void>((resolve) => (wake = resolve));
  }
}
