/** Progress is data, throttled by the engine to at most 20 events a second. */
export const phases = ['scan', 'decode', 'finalize', 'done'] as const;
export type Phase = (typeof phases)[number];

export interface ProgressEvent {
  jobId: string;
  phase: Phase;
  done: number;
  total: number;
  /** The file most recently finished, relative to the input folder. */
  file: string | null;
  imagesPerSecond: number;
  /** Seconds left at the current rate, null while unknown. */
  etaSeconds: number | null;
  skipped: number;
  /**
   * Set while an archive input is listed (phase 'scan'): `done` and `total` then count the
   * archive's compressed bytes read, `file` names the archive, and this counts its members found.
   */
  membersFound?: number;
}

export const maxProgressPerSecond = 20;
