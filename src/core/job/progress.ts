/**
 * Turns per-image ticks into throttled progress events (≤ 20/s, shared/progress.ts), with a
 * smoothed rate and ETA. Phase changes and the final event always go out.
 */
import { type Phase, type ProgressEvent, maxProgressPerSecond } from '../../shared/progress.js';

export class ProgressEmitter {
  private phase: Phase = 'scan';
  private done = 0;
  private total = 0;
  private skipped = 0;
  private file: string | null = null;
  private members: number | null = null;
  private lastEmit = 0;
  private phaseStart = performance.now();
  private readonly minGapMs = 1000 / maxProgressPerSecond;

  constructor(
    private readonly jobId: string,
    private readonly listener: ((event: ProgressEvent) => void) | undefined,
  ) {}

  /** Starts a phase; `done` is given for phases that start complete (the final 'done' event). */
  setPhase(phase: Phase, total: number, done = 0): void {
    this.phase = phase;
    this.total = total;
    this.done = done;
    this.phaseStart = performance.now();
    this.members = null;
    this.emit(true);
  }

  /** An archive input being listed (phase scan): bytes read of its size, members found so far; the first and last always go out. */
  listing(archive: string, bytesRead: number, totalBytes: number, members: number): void {
    const first = this.members === null;
    this.phase = 'scan';
    this.file = archive;
    this.done = bytesRead;
    this.total = totalBytes;
    this.members = members;
    this.emit(first || bytesRead >= totalBytes);
  }

  tick(file: string | null, skipped = false): void {
    this.done++;
    if (skipped) this.skipped++;
    this.file = file;
    this.emit(this.done === this.total);
  }

  private emit(force: boolean): void {
    if (!this.listener) return;
    const now = performance.now();
    if (!force && now - this.lastEmit < this.minGapMs) return;
    this.lastEmit = now;
    const seconds = (now - this.phaseStart) / 1000;
    // While listing, done counts bytes, not images: no image rate yet.
    const rate = seconds > 0 && this.members === null ? this.done / seconds : 0;
    const left = this.total - this.done;
    this.listener({
      jobId: this.jobId,
      phase: this.phase,
      done: this.done,
      total: this.total,
      file: this.file,
      imagesPerSecond: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 && this.phase === 'decode' ? Math.round((left / rate) * 10) / 10 : null,
      skipped: this.skipped,
      ...(this.members === null ? {} : { membersFound: this.members }),
    });
  }
}
