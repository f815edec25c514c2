/**
 * Chooses and starts the TensorFlow.js backend. Nothing of tfjs is imported at module load: a
 * CLI `--help` or a scan must not pay for it, so every import happens inside `loadBackend`.
 */
import { createRequire } from 'node:module';
import { Img2npyError } from '../../shared/errors.js';
import type { BackendName } from '../../shared/options.js';

export type Tf = typeof import('@tensorflow/tfjs-core');

export interface LoadedBackend {
  tf: Tf;
  name: 'wasm' | 'cpu' | 'tensorflow';
  /** For people: e.g. 'wasm (SIMD, 1 thread)', 'cpu (wasm unavailable: ...)'. */
  detail: string;
}

/**
 * Native packages in the order we try them (the GPU build wins when both are present). Built at
 * run time so that no bundler sees a literal specifier to resolve or bundle: they are optional
 * and normally absent.
 */
const nativePackages: readonly string[] = ['tfjs-node-gpu', 'tfjs-node'].map((name) => `@tensorflow/${name}`);

/** A job whose tensor stage has no tfjs operation to run: tfjs is not loaded at all. */
export interface NoBackend {
  tf: null;
  name: 'none';
  detail: string;
}

/**
 * The backend a job's tensor stage runs on. With 'auto' and no tensor operation to run (rows
 * that leave in nhwc without normalisation: the Keras resize and dtype conversion are plain JS),
 * none: loading tfjs and instantiating its wasm costs ~0.2 s of every run's start. A backend
 * asked for by name is always started, so a missing one is still reported before any work.
 * @example const backend = await backendForJob('auto', false); // { tf: null, name: 'none', ... }
 * @throws {Img2npyError} `backend-unavailable` as `loadBackend`.
 */
export async function backendForJob(name: BackendName, tensorOps: boolean): Promise<LoadedBackend | NoBackend> {
  if (name === 'auto' && !tensorOps) return { tf: null, name: 'none', detail: 'none (no tensor operation to run)' };
  return loadBackend(name);
}

/** One start per backend name per process: later calls get the same promise. */
const loading = new Map<BackendName, Promise<LoadedBackend>>();

/**
 * Loads tfjs and activates a backend: 'auto' tries wasm and falls back to cpu (the reason goes
 * into `detail`); 'wasm' and 'cpu' are exact; 'tensorflow' uses @tensorflow/tfjs-node-gpu or
 * @tensorflow/tfjs-node when one is installed. Idempotent per process: each name starts once,
 * and a later call re-activates it (tfjs has one active backend).
 *
 * @example
 * const { tf, name, detail } = await loadBackend('auto'); // name 'wasm', detail 'wasm (SIMD, 1 thread)'
 * @throws {Img2npyError} `backend-unavailable` when the asked backend cannot start, naming the
 *   packages to install.
 */
export function loadBackend(name: BackendName): Promise<LoadedBackend> {
  let pending = loading.get(name);
  if (!pending) {
    pending = start(name);
    // A failed start may succeed later (e.g. after installing a package in a long-lived app).
    pending.catch(() => loading.delete(name));
    loading.set(name, pending);
  }
  return pending.then(activate);
}

/** tfjs has one active backend per process; a later call for another name may have switched it. */
async function activate(loaded: LoadedBackend): Promise<LoadedBackend> {
  if (loaded.tf.getBackend() !== loaded.name) await loaded.tf.setBackend(loaded.name);
  return loaded;
}

async function start(name: BackendName): Promise<LoadedBackend> {
  switch (name) {
    case 'wasm':
      return startWasm();
    case 'cpu':
      return startCpu('cpu');
    case 'tensorflow':
      return startNative();
    case 'auto':
      try {
        return await loadBackend('wasm');
      } catch (err) {
        // The underlying reason, not our advice to use --backend cpu, which auto just did.
        return startCpu(`cpu (wasm unavailable: ${reason((err as Error).cause ?? err)})`);
      }
    default:
      throw new Img2npyError('invalid-option', `Expected one of auto, wasm, cpu, tensorflow for backend but received ${String(name)}`, { option: 'backend' });
  }
}

/**
 * tfjs ships CommonJS bundles: `require` loads them directly, while `import()` first runs Node's
 * CJS export scanner over megabytes of bundle (measured ~120 ms of a 0.6 s CLI start). Both give
 * the same module instance (the packages have no "exports" map).
 */
const requireCjs = createRequire(import.meta.url);

async function core(): Promise<Tf> {
  const tf = requireCjs('@tensorflow/tfjs-core') as Tf;
  // PROD silences tfjs's console banners ("looks like you are running TensorFlow.js in Node.js"),
  // which would pollute the CLI's --json stdout/stderr, and skips debug-only checks.
  tf.env().set('PROD', true);
  return tf;
}

async function startWasm(): Promise<LoadedBackend> {
  const tf = await core();
  const events = ['uncaughtException', 'unhandledRejection'];
  const emitter: NodeJS.EventEmitter = process;
  const before = events.map((event) => emitter.listeners(event));
  try {
    const wasm = requireCjs('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    // Emscripten's loader installs process handlers that rethrow any uncaught error from inside
    // its minified file (printing a 30 kB line); the shells own process-level error handling.
    events.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) {
        if (!before[i].includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    });
    if (!ok) throw new Error('tf.setBackend("wasm") returned false');
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    const threads = wasm.getThreadsCount();
    const detail = `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
    return { tf, name: 'wasm', detail };
  } catch (err) {
    throw new Img2npyError(
      'backend-unavailable',
      `The wasm backend could not start (${reason(err)}); reinstall @tensorflow/tfjs-backend-wasm or use --backend cpu`,
      { option: 'backend', cause: err },
    );
  }
}

async function startCpu(detail: string): Promise<LoadedBackend> {
  const tf = await core();
  try {
    requireCjs('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
    return { tf, name: 'cpu', detail };
  } catch (err) {
    throw new Img2npyError(
      'backend-unavailable',
      `The cpu backend could not start (${reason(err)}); reinstall @tensorflow/tfjs-backend-cpu`,
      { option: 'backend', cause: err },
    );
  }
}

async function startNative(): Promise<LoadedBackend> {
  const tf = await core();
  const failures: string[] = [];
  for (const pkg of nativePackages) {
    try {
      await import(/* @vite-ignore */ pkg);
    } catch (err) {
      if (isMissing(err, pkg)) continue;
      failures.push(`${pkg} is installed but failed to load: ${reason(err)}`);
      continue;
    }
    // Both packages register their backend under the name 'tensorflow' on tfjs's global engine.
    if (await tf.setBackend('tensorflow')) return { tf, name: 'tensorflow', detail: `tensorflow (${pkg})` };
    failures.push(`${pkg} loaded but did not register the 'tensorflow' backend`);
  }
  const why = failures.length ? failures.join('; ') : `neither ${nativePackages.join(' nor ')} is installed`;
  throw new Img2npyError(
    'backend-unavailable',
    `The tensorflow backend is unavailable: ${why}. Install one next to img2npy with ` +
      '`npm install @tensorflow/tfjs-node` (CPU) or `npm install @tensorflow/tfjs-node-gpu` (CUDA), ' +
      'or use --backend auto',
    { option: 'backend' },
  );
}

/** True when `err` says the package itself is absent (not one of its own imports). */
function isMissing(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string };
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(`'${pkg}'`);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
