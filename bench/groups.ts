/**
 * Runs a group of tools on one folder in interleaved rounds (A B C, A B C, ...), so a slow drift of
 * the machine (heat, a background job) touches every tool alike and ratios stay fair.
 */
import { spread, timedRun, type Spread } from './measure.js';
import type { Tool } from './tools.js';

export interface Measured {
  id: string;
  label: string;
  images: number;
  /** Images per second from wall time, start-up included. */
  rate: Spread | null;
  /** Images per second by the tool's own clock, start-up excluded, where it reports one. */
  innerRate: Spread | null;
  /** Peak RSS in MB over the runs. */
  rssMb: Spread | null;
  wallS: Spread | null;
  /** CPU milliseconds per image, all processes of the tool together: steady even on a busy machine. */
  cpuMsPerImage: Spread | null;
  /** Cores' share used by other processes during the runs (see RunResult.foreignLoad). */
  foreignLoad: Spread | null;
  /** Why there is no figure: "not available: ...", or the error of a failed run. */
  missing: string | null;
}

export interface RepeatPolicy {
  /** Runs shorter than this many seconds are repeated `shortReps` times in all. */
  shortRunS: number;
  shortReps: number;
  longReps: number;
  /** Runs longer than this get `veryLongReps`, so a slow tool cannot blow the time budget. */
  veryLongRunS: number;
  veryLongReps: number;
}

export const defaultPolicy: RepeatPolicy = { shortRunS: 5, shortReps: 5, longReps: 3, veryLongRunS: 60, veryLongReps: 2 };

function repsAfter(firstWallS: number, p: RepeatPolicy): number {
  if (firstWallS < p.shortRunS) return p.shortReps;
  return firstWallS > p.veryLongRunS ? p.veryLongReps : p.longReps;
}

type Log = (line: string) => void;

export async function runGroup(tools: Tool[], images: number, cwd: string, policy: RepeatPolicy, log: Log): Promise<Measured[]> {
  const state = tools.map((tool) => ({
    tool,
    runs: [] as { wallS: number; rss: number; inner: number | null; cpuS: number; foreign: number }[],
    reps: 1,
    error: tool.unavailable ? `not available: ${tool.unavailable}` : null,
  }));
  for (let round = 0; ; round++) {
    // A tool's first run decides its repetitions; failed tools drop out of later rounds.
    const due = state.filter((s) => !s.error && s.runs.length < s.reps);
    if (due.length === 0) break;
    for (const s of due) {
      const run = await timedRun(s.tool.command, s.tool.args, cwd);
      const err = s.tool.check(run);
      if (err) {
        s.error = `failed: ${err}`;
        log(`  ${s.tool.id}: ${s.error}`);
        continue;
      }
      s.runs.push({ wallS: run.wallS, rss: run.maxRssMb, inner: s.tool.innerRate(run), cpuS: run.cpuS, foreign: run.foreignLoad });
      if (round === 0) s.reps = repsAfter(run.wallS, policy);
      log(
        `  ${s.tool.id} run ${s.runs.length}/${s.reps}: ${run.wallS.toFixed(2)} s, ${(images / run.wallS).toFixed(1)} images/s, ` +
          `${run.maxRssMb.toFixed(0)} MB, cpu ${run.cpuS.toFixed(1)} s, other load ${(run.foreignLoad * 100).toFixed(0)}%`,
      );
    }
  }
  return state.map((s) => {
    const ok = s.runs.length > 0 && !s.error;
    const inner = s.runs.map((r) => r.inner).filter((v): v is number => v !== null);
    return {
      id: s.tool.id,
      label: s.tool.label,
      images,
      rate: ok ? spread(s.runs.map((r) => images / r.wallS)) : null,
      innerRate: ok && inner.length > 0 ? spread(inner) : null,
      rssMb: ok ? spread(s.runs.map((r) => r.rss)) : null,
      wallS: ok ? spread(s.runs.map((r) => r.wallS)) : null,
      cpuMsPerImage: ok ? spread(s.runs.map((r) => (1000 * r.cpuS) / images)) : null,
      foreignLoad: ok ? spread(s.runs.map((r) => r.foreign)) : null,
      missing: s.error,
    };
  });
}

/** ours ÷ other on median rates, both taken in this same bench run; null when either is missing. */
export function ratio(ours: Measured | undefined, other: Measured | undefined): number | null {
  if (!ours?.rate || !other?.rate) return null;
  return ours.rate.median / other.rate.median;
}
