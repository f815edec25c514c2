/**
 * Quitting (or closing the window) while a conversion runs: killing the engine then would leave
 * the job's temp folder behind. The guard asks first; on "Cancel and quit" it cancels the jobs,
 * waits until each has settled (its temp files removed by the engine or by the handler's
 * cleanup) and only then quits. Plain logic: main passes Electron's event and dialog.
 */
export interface RunningJobs {
  /** Jobs in flight now. */
  count(): number;
  /** Cancels every job; resolves once all have settled, cleanup included. */
  cancelAll(): Promise<void>;
}

export interface QuitGuardDeps {
  jobs: RunningJobs;
  /** True to cancel the running conversion and quit. */
  askCancel(count: number): Promise<boolean>;
  /** Quits for real: the guard lets the next quit through. */
  quit(): void;
  warn?(message: string): void;
}

export interface QuitGuard {
  /**
   * Call from `before-quit` and the window's `close`: returns true when the caller must prevent
   * the default (the guard quits later, or the user chose to keep converting).
   */
  intercept(): boolean;
}

export function createQuitGuard({ jobs, askCancel, quit, warn }: QuitGuardDeps): QuitGuard {
  let state: 'idle' | 'asking' | 'stopping' | 'done' = 'idle';
  return {
    intercept() {
      if (state === 'done') return false;
      if (state !== 'idle') return true;
      if (jobs.count() === 0) return false;
      state = 'asking';
      void askCancel(jobs.count())
        .then(async (cancel) => {
          if (!cancel) {
            state = 'idle';
            return;
          }
          state = 'stopping';
          await jobs.cancelAll().catch((err: unknown) => warn?.(`Could not stop the conversion cleanly: ${String(err)}`));
          state = 'done';
          quit();
        })
        .catch((err: unknown) => {
          state = 'idle';
          warn?.(`Could not ask about quitting: ${String(err)}`);
        });
      return true;
    },
  };
}
