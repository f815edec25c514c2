/** The conversions in flight, owned by the handler table: cancel finds them here, and so does quit. */
import type { RunningJobs } from './quit-guard.js';

interface Entry {
  controller: AbortController;
  /** Settles once the job and its cleanup are over, whatever the outcome. */
  settled: Promise<void>;
}

export class JobRegistry implements RunningJobs {
  readonly #jobs = new Map<string, Entry>();

  has(jobId: string): boolean {
    return this.#jobs.has(jobId);
  }

  /** Registers `run` under `jobId` until it settles. */
  track<T>(jobId: string, controller: AbortController, run: Promise<T>): Promise<T> {
    const settled = run.then(
      () => {},
      () => {},
    );
    this.#jobs.set(jobId, { controller, settled });
    void settled.then(() => this.#jobs.delete(jobId));
    return run;
  }

  cancel(jobId: string): boolean {
    const entry = this.#jobs.get(jobId);
    if (!entry) return false;
    entry.controller.abort();
    return true;
  }

  count(): number {
    return this.#jobs.size;
  }

  async cancelAll(): Promise<void> {
    const entries = [...this.#jobs.values()];
    for (const entry of entries) entry.controller.abort();
    await Promise.all(entries.map((e) => e.settled));
  }
}
