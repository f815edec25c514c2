/**
 * The preview's x shape and size with the files the header probe will skip taken out. The
 * preview counts every scanned file; the probe that follows each scan knows which ones cannot be
 * read, so the window shows what a conversion will really write. Without a probe of the same
 * files (still running, failed, or of an older scan) the preview's own figures stand.
 */
export interface Estimate {
  shape: number[];
  bytes: number;
  /** Files left out of the estimate because their header cannot be read. */
  skipped: number;
}

export function estimateAfterProbe(
  preview: { shape: readonly number[]; estimatedBytes: number },
  probe: { probed: number; skipped: readonly unknown[] } | null,
): Estimate {
  const n = preview.shape[0] ?? 0;
  if (!probe || probe.probed !== n || probe.skipped.length === 0 || n === 0) {
    return { shape: [...preview.shape], bytes: preview.estimatedBytes, skipped: 0 };
  }
  const kept = Math.max(0, n - probe.skipped.length);
  // Every row costs the same bytes (x, y and a fixed-width path), so the size scales with rows.
  return { shape: [kept, ...preview.shape.slice(1)], bytes: (preview.estimatedBytes / n) * kept, skipped: n - kept };
}
