/**
 * Main's side of the engine process: an `Engine` whose calls travel to a child process. The
 * child is started on first use and again after it dies; a death fails the calls in flight with
 * `engine-crashed`. Transport-free: `spawn` returns any `EngineHost` (Electron utilityProcess in
 * the app, a Node child process in e2e, a loopback in unit tests).
 */
import { Img2npyError, fromErrorInfo } from '../shared/errors.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { Engine, EngineOp, RunContext } from './engine.js';
import type { FromEngine, ToEngine } from './engine-protocol.js';

export interface EngineHost {
  postMessage(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  /** Called once when the process ends, however it ends. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface EngineClient extends Engine {
  /** Stops the process; calls in flight fail. */
  dispose(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onProgress?: (event: ProgressEvent) => void;
  cancelled: boolean;
}

interface Session {
  host: EngineHost;
  ready: boolean;
  queue: ToEngine[];
  pending: Map<number, Pending>;
  killedOnPurpose: boolean;
}

export interface EngineClientOptions {
  /** How long a cancelled call may take to stop before the process is killed. */
  cancelGraceMs?: number;
}

export function createEngineClient(spawn: () => EngineHost, { cancelGraceMs = 5000 }: EngineClientOptions = {}): EngineClient {
  let session: Session | null = null;
  let nextId = 1;

  const send = (s: Session, message: ToEngine) => {
    if (s.ready) s.host.postMessage(message);
    else s.queue.push(message);
  };

  const start = (): Session => {
    const host = spawn();
    const s: Session = { host, ready: false, queue: [], pending: new Map(), killedOnPurpose: false };
    host.onMessage((message) => {
      if (message.type === 'ready') {
        s.ready = true;
        for (const queued of s.queue.splice(0)) host.postMessage(queued);
        return;
      }
      const call = s.pending.get(message.id);
      if (!call) return;
      if (message.type === 'progress') {
        call.onProgress?.(message.event);
        return;
      }
      s.pending.delete(message.id);
      if (message.type === 'result') call.resolve(message.value);
      else call.reject(fromErrorInfo(message.error));
    });
    host.onExit((code) => {
      if (session === s) session = null;
      for (const call of s.pending.values()) {
        call.reject(
          call.cancelled
            ? new Img2npyError('cancelled', 'Cancelled (the engine did not stop in time and was restarted)')
            : new Img2npyError(
                'engine-crashed',
                s.killedOnPurpose
                  ? 'The conversion engine was stopped'
                  : `The conversion engine stopped unexpectedly (exit code ${code ?? 'unknown'}); it restarts on the next request`,
              ),
        );
      }
      s.pending.clear();
    });
    return s;
  };

  const call = (op: EngineOp, args: unknown[], ctx: RunContext = {}): Promise<unknown> => {
    const { signal, onProgress } = ctx;
    if (signal?.aborted) return Promise.reject(new Img2npyError('cancelled', 'Cancelled'));
    session ??= start();
    const s = session;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, onProgress, cancelled: false };
      s.pending.set(id, entry);
      send(s, { type: 'call', id, op, args });
      if (!signal) return;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        entry.cancelled = true;
        send(s, { type: 'cancel', id });
        // An engine stuck in synchronous work never reads the cancel: restart it.
        graceTimer = setTimeout(() => {
          s.killedOnPurpose = true;
          s.host.kill();
        }, cancelGraceMs);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(graceTimer);
      };
      entry.resolve = (v) => (settle(), resolve(v));
      entry.reject = (e) => (settle(), reject(e));
    });
  };

  return {
    scanSummary: (input, options, ctx) => call('scanSummary', [input, options], ctx) as ReturnType<Engine['scanSummary']>,
    dryRun: (input, options, ctx) => call('dryRun', [input, options], ctx) as ReturnType<Engine['dryRun']>,
    preview: (input, options, count, ctx) => call('preview', [input, options, count, ctx?.sampleSeed ?? null], ctx) as ReturnType<Engine['preview']>,
    convert: (job, ctx) => call('convert', [job], ctx) as ReturnType<Engine['convert']>,
    inspect: (path, ctx) => call('inspect', [path, ctx?.samples ?? null], ctx) as ReturnType<Engine['inspect']>,
    cleanupJobTemp: (output, jobId) => call('cleanupJobTemp', [output, jobId]) as Promise<void>,
    dispose() {
      if (!session) return;
      session.killedOnPurpose = true;
      session.host.kill();
    },
  };
}
