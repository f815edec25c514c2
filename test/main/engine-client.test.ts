import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Img2npyError } from '../../src/shared/errors.js';
import type { ProgressEvent } from '../../src/shared/progress.js';
import type { ConvertReport } from '../../src/shared/report.js';
import type { Engine } from '../../src/main/engine.js';
import { type EngineHost, createEngineClient } from '../../src/main/engine-client.js';
import { type FromEngine, type ToEngine, serveEngine } from '../../src/main/engine-protocol.js';

/**
 * An engine "process" in memory: messages are structured-cloned and delivered on a later turn,
 * as they would be across a real process boundary; `crash()` ends it like a dead process.
 */
function loopback(engine: Engine | (() => Promise<Engine>)) {
  const spawned: { crash(code?: number): void; killed: boolean; received: ToEngine[] }[] = [];
  const spawn = (): EngineHost => {
    let toMain: ((m: FromEngine) => void) | null = null;
    let toEngine: ((m: ToEngine) => void) | null = null;
    let onExit: ((code: number | null) => void) | null = null;
    let alive = true;
    const received: ToEngine[] = [];
    // The listener is looked up on delivery: a real child's first message also arrives later.
    const deliver = <T>(to: () => ((m: T) => void) | null, m: T) => setImmediate(() => alive && to()?.(structuredClone(m)));
    const end = (code: number | null) => {
      if (!alive) return;
      alive = false;
      setImmediate(() => onExit?.(code));
    };
    const record = { crash: (code = 134) => end(code), killed: false, received };
    spawned.push(record);
    serveEngine(
      { post: (m) => deliver(() => toMain, m), onMessage: (l) => (toEngine = l) },
      typeof engine === 'function' ? engine : async () => engine,
    );
    return {
      postMessage: (m) => {
        received.push(m);
        deliver(() => toEngine, m);
      },
      onMessage: (l) => (toMain = l),
      onExit: (l) => (onExit = l),
      kill: () => {
        record.killed = true;
        end(null);
      },
    };
  };
  return { spawn, spawned };
}

const progressEvent = (done: number): ProgressEvent => ({
  jobId: 'j', phase: 'decode', done, total: 3, file: `f${done}`, imagesPerSecond: 10, etaSeconds: 0, skipped: 0,
});

/** Engine whose convert runs until aborted, reporting progress first. */
const engine: Engine = {
  scanSummary: async (input) => ({ root: input, classNames: [], countsPerClass: {}, emptyClasses: [], total: 0, formats: {}, ignored: [], warnings: [] }),
  dryRun: async () => { throw new Img2npyError('no-images', 'nothing to probe', { file: '/x' }); },
  preview: async () => { throw new Img2npyError('no-images', 'nothing to preview', { file: '/x' }); },
  inspect: async (path, ctx) => ({ path, arrays: [], classNames: null, countsPerClass: null, samples: [], ...(ctx?.samples ? { samplesAsked: ctx.samples } : {}) }),
  cleanupJobTemp: async () => {},
  convert: (job, ctx) =>
    new Promise<ConvertReport>((resolve, reject) => {
      for (let i = 1; i <= 3; i++) ctx?.onProgress?.(progressEvent(i));
      if (job.options.shuffle) return resolve({ jobId: job.jobId } as ConvertReport);
      ctx?.signal?.addEventListener('abort', () => reject(new Img2npyError('cancelled', 'Cancelled in engine')));
    }),
};

const job = { jobId: 'j', input: '/in', output: '/out.npz', options: {}, overwrite: false };

describe('createEngineClient over serveEngine', () => {
  it('returns results and relays progress', async () => {
    const { spawn } = loopback(engine);
    const client = createEngineClient(spawn);
    assert.equal((await client.scanSummary('/in', {})).root, '/in');
    const seen: number[] = [];
    const report = await client.convert({ ...job, options: { shuffle: true } }, { onProgress: (e) => seen.push(e.done) });
    assert.equal(report.jobId, 'j');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(await client.inspect('/a.npz', { samples: 4 }), { path: '/a.npz', arrays: [], classNames: null, countsPerClass: null, samples: [], samplesAsked: 4 });
    client.dispose();
  });

  it('rebuilds engine errors with code, file and the engine-side stack', async () => {
    const client = createEngineClient(loopback(engine).spawn);
    await assert.rejects(client.preview('/in', {}, 4), (err: Img2npyError) => {
      assert.equal(err.code, 'no-images');
      assert.equal(err.file, '/x');
      assert.match(err.stack ?? '', /main\/engine-client\.test/);
      return true;
    });
    client.dispose();
  });

  it('cancel aborts the call inside the engine', async () => {
    const { spawn, spawned } = loopback(engine);
    const client = createEngineClient(spawn);
    const controller = new AbortController();
    const running = client.convert(job, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await assert.rejects(running, (err: Img2npyError) => err.code === 'cancelled' && /in engine/.test(err.message));
    assert.equal(spawned[0].killed, false);
    assert.ok(spawned[0].received.some((m) => m.type === 'cancel'));
    client.dispose();
  });

  it('a call already aborted never reaches the engine', async () => {
    const { spawn, spawned } = loopback(engine);
    const client = createEngineClient(spawn);
    await assert.rejects(client.convert(job, { signal: AbortSignal.abort() }), (err: Img2npyError) => err.code === 'cancelled');
    assert.equal(spawned.length, 0);
  });

  it('kills an engine that ignores the cancel, after the grace period', async () => {
    const stuck: Engine = { ...engine, convert: () => new Promise(() => {}) };
    const { spawn, spawned } = loopback(stuck);
    const client = createEngineClient(spawn, { cancelGraceMs: 20 });
    const controller = new AbortController();
    const running = client.convert(job, { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, (err: Img2npyError) => err.code === 'cancelled');
    assert.equal(spawned[0].killed, true);
  });

  it('a crash fails calls in flight with engine-crashed, and the next call starts a new engine', async () => {
    const { spawn, spawned } = loopback(engine);
    const client = createEngineClient(spawn);
    const running = client.convert(job);
    await new Promise((r) => setTimeout(r, 10));
    spawned[0].crash(139);
    await assert.rejects(running, (err: Img2npyError) => err.code === 'engine-crashed' && /exit code 139/.test(err.message));
    assert.equal((await client.scanSummary('/again', {})).root, '/again');
    assert.equal(spawned.length, 2);
    client.dispose();
  });

  it('an engine that cannot load answers each call with the load error', async () => {
    const client = createEngineClient(loopback(async () => { throw new Error('Cannot find module sharp'); }).spawn);
    await assert.rejects(client.scanSummary('/in', {}), /Cannot find module sharp/);
    client.dispose();
  });
});
