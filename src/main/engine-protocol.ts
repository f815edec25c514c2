/**
 * Messages between main and the engine process, and the engine side of the conversation.
 * Transport-free: the utility process (engine-process.ts) and the e2e child process plug their
 * own port in, so the same code serves both.
 */
import type { ErrorInfo } from '../shared/errors.js';
import { toErrorInfo } from '../shared/errors.js';
import type { ProgressEvent } from '../shared/progress.js';
import { type Engine, type EngineOp, engineOps } from './engine.js';

export type ToEngine =
  | { type: 'call'; id: number; op: EngineOp; args: unknown[] }
  | { type: 'cancel'; id: number };

export type FromEngine =
  | { type: 'ready' }
  | { type: 'progress'; id: number; event: ProgressEvent }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: ErrorInfo };

export interface EnginePort {
  post(message: FromEngine): void;
  onMessage(listener: (message: ToEngine) => void): void;
}

function invoke(engine: Engine, op: EngineOp, args: unknown[], signal: AbortSignal, onProgress: (e: ProgressEvent) => void): Promise<unknown> {
  const ctx = { signal, onProgress };
  // Arguments were checked by main's handlers before they crossed; the casts only restore types.
  switch (op) {
    case 'scanSummary':
      return engine.scanSummary(args[0] as string, args[1] as object, ctx);
    case 'dryRun':
      return engine.dryRun(args[0] as string, args[1] as object, ctx);
    case 'preview':
      return engine.preview(args[0] as string, args[1] as object, args[2] as number, args[3] == null ? ctx : { ...ctx, sampleSeed: args[3] as number });
    case 'convert':
      return engine.convert(args[0] as Parameters<Engine['convert']>[0], ctx);
    case 'inspect':
      return engine.inspect(args[0] as string, args[1] == null ? ctx : { ...ctx, samples: args[1] as number });
    case 'cleanupJobTemp':
      return engine.cleanupJobTemp(args[0] as string, args[1] as string);
  }
}

/**
 * Answers calls arriving on `port` with `load()`'s engine. Loading is lazy so the port listens
 * (and says `ready`) before the engine's heavy imports run; a failed load answers every call
 * with its error instead of killing the process.
 */
export function serveEngine(port: EnginePort, load: () => Promise<Engine>): void {
  let engine: Promise<Engine> | null = null;
  const running = new Map<number, AbortController>();

  port.onMessage((message) => {
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    if (message.type !== 'call') return;
    const { id, op, args } = message;
    const controller = new AbortController();
    running.set(id, controller);
    engine ??= load();
    void engine
      .then((e) => {
        if (!(engineOps as readonly string[]).includes(op)) throw new Error(`Unknown engine operation ${String(op)}`);
        return invoke(e, op, args, controller.signal, (event) => port.post({ type: 'progress', id, event }));
      })
      .then(
        (value) => port.post({ type: 'result', id, value }),
        (err: unknown) => port.post({ type: 'error', id, error: toErrorInfo(err) }),
      )
      .finally(() => running.delete(id));
  });
  port.post({ type: 'ready' });
}
