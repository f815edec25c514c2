import { maxProgressPerSecond, type ProgressEvent } from '../shared/progress.js';

export interface ProgressThrottle {
  push(event: ProgressEvent): void;
  /** Sends the event held back, if any (call before reporting the job's result). */
  flush(): void;
  /** Drops the event held back and stops the timer. */
  cancel(): void;
}

interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Relays progress at most `perSecond` times a second. The engine already throttles; this guards
 * the IPC hop whatever engine sits behind it. A phase change or the last item goes at once (a
 * handful per job); otherwise the newest event waits for the next slot, so the last state is
 * never lost.
 */
export function createProgressThrottle(
  send: (event: ProgressEvent) => void,
  { perSecond = maxProgressPerSecond, timers = realTimers }: { perSecond?: number; timers?: Timers } = {},
): ProgressThrottle {
  const interval = 1000 / perSecond;
  let lastSent = -Infinity;
  let lastPhase: string | null = null;
  let pending: ProgressEvent | null = null;
  let timer: unknown = null;

  const emit = (event: ProgressEvent) => {
    lastSent = timers.now();
    lastPhase = event.phase;
    send(event);
  };
  const clearTimer = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };
  const flush = () => {
    clearTimer();
    if (pending) {
      const event = pending;
      pending = null;
      emit(event);
    }
  };

  return {
    push(event) {
      const urgent = event.phase !== lastPhase || event.phase === 'done' || (event.total > 0 && event.done >= event.total);
      const wait = lastSent + interval - timers.now();
      if (urgent || wait <= 0) {
        // Whatever was held back is older than this event: drop it.
        pending = null;
        clearTimer();
        emit(event);
        return;
      }
      pending = event;
      if (timer === null) timer = timers.setTimeout(flush, wait);
    },
    flush,
    cancel() {
      clearTimer();
      pending = null;
    },
  };
}
