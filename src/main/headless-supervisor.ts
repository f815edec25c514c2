/**
 * The two halves of `--headless`, as plain functions so they are tested without Electron.
 *
 * Main (`superviseHeadless`): a terminal's Ctrl-C reaches main and the CLI's process alike (one
 * process group); SIGTERM may reach main alone. Main therefore never dies first: the first signal
 * asks the CLI to stop (it cleans its temp files and exits 130), a second one kills it and exits
 * 130 at once, as the plain CLI does. Main exits with the CLI's code, after its own cleanup.
 *
 * The CLI's process (`serveHeadlessCli`): every stop request (signal or message) aborts the same
 * controller, so the two copies of one Ctrl-C count once; stdout is flushed before exiting, so
 * large `--json` output is never cut when piped.
 */
import type { Writable } from 'node:stream';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const stopSignals: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface HeadlessChild {
  /** Asks the CLI to stop as after Ctrl-C. */
  stop(): void;
  kill(): void;
  onExit(listener: (code: number | null) => void): void;
}

export interface SupervisorDeps {
  child: HeadlessChild;
  onSignal(signal: StopSignal, listener: () => void): void;
  /** Main's own tidy-up (its temporary profile) before it exits. */
  cleanup(): void;
  exit(code: number): void;
}

export const cancelledExitCode = 130;

export function superviseHeadless({ child, onSignal, cleanup, exit }: SupervisorDeps): void {
  let signals = 0;
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    try {
      cleanup();
    } finally {
      exit(code);
    }
  };
  for (const signal of stopSignals) {
    onSignal(signal, () => {
      signals++;
      if (signals === 1) return child.stop();
      child.kill();
      finish(cancelledExitCode);
    });
  }
  child.onExit((code) => finish(code ?? (signals > 0 ? cancelledExitCode : 1)));
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
export function flushed(stream: Pick<Writable, 'write'>): Promise<void> {
  return new Promise((resolve) => void stream.write('', () => resolve()));
}

export interface HeadlessCliDeps {
  /** Stop requests from main (a message on the parent port). */
  onStopMessage(listener: () => void): void;
  onSignal(signal: StopSignal, listener: () => void): void;
  run(signal: AbortSignal): Promise<number>;
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
  exit(code: number): void;
}

export async function serveHeadlessCli(deps: HeadlessCliDeps): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  deps.onStopMessage(stop);
  for (const signal of stopSignals) deps.onSignal(signal, stop);
  let code: number;
  try {
    code = await deps.run(controller.signal);
  } catch (err) {
    deps.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    code = 1;
  }
  await Promise.all([flushed(deps.stdout), flushed(deps.stderr)]);
  deps.exit(code);
}
