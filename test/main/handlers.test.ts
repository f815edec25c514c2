import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConvertJob, HandlerTable } from '../../src/shared/api.js';
import { Img2npyError } from '../../src/shared/errors.js';
import type { Preset } from '../../src/shared/presets.js';
import type { ProgressEvent } from '../../src/shared/progress.js';
import type { ConvertReport, ScanSummary } from '../../src/shared/report.js';
import { dispatch } from '../../src/main/dispatch.js';
import type { Engine } from '../../src/main/engine.js';
import { type HandlerDeps, createHandlers } from '../../src/main/handlers.js';
import { PathGrants } from '../../src/main/path-grants.js';

const entryUrl = 'http://127.0.0.1:4000/index.html';
const trusted = { webContentsIds: new Set([1]), entryUrl };
const appSender = { webContentsId: 1, frameUrl: entryUrl, isMainFrame: true };

const summary: ScanSummary = {
  root: '/data', classNames: ['cat'], countsPerClass: { cat: 1 }, emptyClasses: [], total: 1, formats: { png: 1 }, ignored: [], warnings: [],
};

function fakeReport(job: ConvertJob): ConvertReport {
  return { jobId: job.jobId, input: job.input, outputs: [{ path: job.output, files: [job.output] }], manifest: `${job.output}.manifest.json` } as ConvertReport;
}

/** A recording engine; `convert` waits for the test to settle it. */
function fakeEngine() {
  const calls: { op: string; args: unknown[] }[] = [];
  let settleConvert: { resolve(r: ConvertReport): void; reject(e: unknown): void; ctx: Parameters<Engine['convert']>[1] } | null = null;
  const engine: Engine = {
    scanSummary: async (input, options) => (calls.push({ op: 'scan', args: [input, options] }), summary),
    dryRun: async (input, options) => (calls.push({ op: 'probe', args: [input, options] }), { summary, probed: 1, skipped: [], largest: null, shape: null, dtype: 'uint8', layout: 'nhwc', outputs: [] } as never),
    preview: async (input, options, count) => (calls.push({ op: 'preview', args: [input, options, count] }), { items: [], shape: [], dtype: 'uint8', estimatedBytes: 0, backend: 'cpu' }),
    inspect: async (path) => (calls.push({ op: 'inspect', args: [path] }), { path, arrays: [], classNames: null, countsPerClass: null, samples: [] }),
    cleanupJobTemp: async (output, jobId) => void calls.push({ op: 'cleanup', args: [output, jobId] }),
    convert: (job, ctx) => {
      calls.push({ op: 'convert', args: [job] });
      return new Promise((resolve, reject) => (settleConvert = { resolve, reject, ctx }));
    },
  };
  return { engine, calls, get convert() { return settleConvert; } };
}

function fakePresets() {
  const saved: Preset[] = [];
  return {
    saved,
    store: {
      dir: '/config/img2npy/presets',
      list: async () => saved,
      save: async (p: Preset) => (saved.push(p), p),
      delete: async () => true,
      rename: async (_from: string, to: string) => ({ name: to, options: {} }),
      import: async () => ({ name: 'imported', options: {} }),
      export: async (name: string) => JSON.stringify({ name, options: {} }),
    } satisfies HandlerDeps['presets'],
  };
}

function setup(overrides: Partial<HandlerDeps> = {}) {
  const engine = fakeEngine();
  const presets = fakePresets();
  const progress: ProgressEvent[] = [];
  const shown: string[] = [];
  const warnings: string[] = [];
  const asked: string[] = [];
  // The user chose these earlier in the session.
  const grants = new PathGrants();
  grants.grant('/data', 'input');
  grants.grant('/out/x.npz', 'output');
  const table = createHandlers({
    engine: engine.engine,
    presets: presets.store,
    dialogs: {
      chooseFolder: async () => '/data',
      chooseArchive: async () => null,
      chooseOutput: async (s) => `${s}!`,
      chooseArrayFile: async () => null,
      chooseLabels: async () => '/data/labels.csv',
      confirmReplace: async (existing) => (asked.push(existing.path), false),
    },
    shell: { showItemInFolder: (p) => void shown.push(p) },
    sendProgress: (e) => void progress.push(e),
    app: { version: '1.2.3', platform: 'linux', testBridge: false },
    warn: (m) => void warnings.push(m),
    grants,
    defaultOutput: async (input) => `${input}-default.npz`,
    destination: async () => null,
    ...overrides,
  });
  const call = (channel: keyof HandlerTable, ...args: unknown[]) => dispatch(table, channel, args, appSender, trusted);
  return { table, call, engine, presets, progress, shown, warnings, grants, asked };
}

const job = (extra: Partial<ConvertJob> = {}): ConvertJob => ({
  jobId: 'job-1', input: '/data', output: '/out/x.npz', options: { size: { height: 8, width: 8 } }, overwrite: false, ...extra,
});

const tick = () => new Promise((r) => setImmediate(r));

describe('dispatch', () => {
  it('refuses an untrusted sender without running the handler', async () => {
    const { table, engine } = setup();
    const outcome = await dispatch(table, 'scan:run', ['/data', {}], { ...appSender, frameUrl: 'https://evil.example/' }, trusted);
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.error.message : '', /did not come from the app's window/);
    assert.equal(engine.calls.length, 0);
  });
  it('refuses unknown channels and non-list arguments', async () => {
    const { table } = setup();
    assert.equal((await dispatch(table, 'fs:read', [], appSender, trusted)).ok, false);
    assert.equal((await dispatch(table, 'scan:run', '/data', appSender, trusted)).ok, false);
  });
  it('wraps results and turns thrown errors into data with code and stack', async () => {
    const { call } = setup({
      engine: { ...fakeEngine().engine, inspect: async () => { throw new Img2npyError('not-an-array-file', 'not an array', { file: '/x.txt' }); } },
      dialogs: { chooseFolder: async () => null, chooseArchive: async () => null, chooseOutput: async () => null, chooseArrayFile: async () => '/x.txt', chooseLabels: async () => null, confirmReplace: async () => false },
    });
    assert.deepEqual(await call('app:info'), { ok: true, value: { version: '1.2.3', platform: 'linux', testBridge: false, presetsDir: '/config/img2npy/presets' } });
    const failed = await call('dialog:choose-array-file').then(() => call('inspect:run', '/x.txt'));
    assert.equal(failed.ok, false);
    if (!failed.ok) {
      assert.equal(failed.error.code, 'not-an-array-file');
      assert.equal(failed.error.file, '/x.txt');
      assert.match(failed.error.stack ?? '', /main\/handlers\.test/);
    }
  });
});

describe('createHandlers: scan and preview', () => {
  it('passes checked arguments to the engine', async () => {
    const { call, engine } = setup();
    assert.deepEqual(await call('scan:run', '/data', { like: 'keras' }), { ok: true, value: summary });
    await call('preview:run', '/data', { size: { height: 4, width: 4 } }, 6);
    assert.deepEqual(engine.calls, [
      { op: 'scan', args: ['/data', { like: 'keras' }] },
      { op: 'preview', args: ['/data', { size: { height: 4, width: 4 } }, 6] },
    ]);
  });
  it('rejects invalid options with the shared validator message', async () => {
    const { call, engine } = setup();
    const outcome = await call('scan:run', '/data', { batchSize: -1, bogus: 1 });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.error.code, 'invalid-option');
      assert.match(outcome.error.message, /Expected integer between 1 and 65536 for batchSize but received -1 of type number/);
      assert.match(outcome.error.message, /Unknown option bogus/);
    }
    assert.equal(engine.calls.length, 0);
  });
  it('rejects relative, empty and non-string paths', async () => {
    const { call } = setup();
    for (const bad of ['data', '', 42, null, '/da\0ta']) {
      const outcome = await call('scan:run', bad, {});
      assert.equal(outcome.ok, false, String(bad));
      if (!outcome.ok) assert.equal(outcome.error.code, 'input-not-found');
    }
  });
  it('bounds the preview count', async () => {
    const { call } = setup();
    for (const bad of [0, 65, 2.5, '4']) {
      const outcome = await call('preview:run', '/data', {}, bad);
      assert.equal(outcome.ok, false, String(bad));
    }
  });
});

describe('createHandlers: convert and cancel', () => {
  it('relays progress throttled and returns the report', async () => {
    const { call, engine, progress } = setup();
    const running = call('convert:start', job());
    await tick();
    const ctx = engine.convert!.ctx!;
    for (let i = 1; i <= 50; i++) ctx.onProgress!({ jobId: 'job-1', phase: 'decode', done: i, total: 100, file: null, imagesPerSecond: 1, etaSeconds: 1, skipped: 0 });
    engine.convert!.resolve(fakeReport(job()));
    const outcome = await running;
    assert.equal(outcome.ok, true);
    // First event at once, the newest flushed before the result; the rest held back.
    assert.deepEqual(progress.map((e) => e.done), [1, 50]);
  });
  it('cancel aborts the running job; cleanup runs; an unknown job is not cancelled', async () => {
    const { call, engine } = setup();
    const running = call('convert:start', job());
    await tick();
    const signal = engine.convert!.ctx!.signal!;
    assert.deepEqual(await call('convert:cancel', 'other-job'), { ok: true, value: false });
    assert.deepEqual(await call('convert:cancel', 'job-1'), { ok: true, value: true });
    assert.equal(signal.aborted, true);
    engine.convert!.reject(new Img2npyError('cancelled', 'Cancelled'));
    const outcome = await running;
    assert.equal(!outcome.ok && outcome.error.code, 'cancelled');
    assert.deepEqual(engine.calls.at(-1), { op: 'cleanup', args: ['/out/x.npz', 'job-1'] });
    assert.deepEqual(await call('convert:cancel', 'job-1'), { ok: true, value: false });
  });
  it('an engine crash becomes engine-crashed and the job temp files are removed', async () => {
    const { call, engine } = setup();
    const running = call('convert:start', job());
    await tick();
    engine.convert!.reject(new Img2npyError('engine-crashed', 'The conversion engine stopped unexpectedly'));
    const outcome = await running;
    assert.equal(!outcome.ok && outcome.error.code, 'engine-crashed');
    assert.deepEqual(engine.calls.at(-1), { op: 'cleanup', args: ['/out/x.npz', 'job-1'] });
  });
  it('a failed cleanup is reported as a warning, never instead of the error', async () => {
    const base = fakeEngine();
    const { call, warnings } = setup({ engine: { ...base.engine, cleanupJobTemp: async () => { throw new Error('EBUSY'); } } });
    const running = call('convert:start', job());
    await tick();
    base.convert!.reject(new Img2npyError('engine-crashed', 'gone'));
    const outcome = await running;
    assert.equal(!outcome.ok && outcome.error.code, 'engine-crashed');
    assert.match(warnings[0] ?? '', /EBUSY/);
  });
  it('other failures are passed on without a cleanup', async () => {
    const { call, engine } = setup();
    const running = call('convert:start', job());
    await tick();
    engine.convert!.reject(new Img2npyError('output-exists', 'exists'));
    assert.equal(((await running) as { error: { code: string } }).error.code, 'output-exists');
    assert.equal(engine.calls.some((c) => c.op === 'cleanup'), false);
  });
  it('refuses a malformed job and a job id already running', async () => {
    const { call, engine } = setup();
    for (const bad of [
      null, { ...job(), extra: 1 }, { ...job(), jobId: '../x' }, { ...job(), output: 'rel.npz' }, { ...job(), overwrite: 'yes' }, { ...job(), options: { dtype: 'int64' } },
    ]) {
      assert.equal((await call('convert:start', bad)).ok, false, JSON.stringify(bad));
    }
    const first = call('convert:start', job());
    await tick();
    const second = await call('convert:start', job());
    assert.equal(!second.ok && second.error.option, 'jobId');
    engine.convert!.resolve(fakeReport(job()));
    assert.equal((await first).ok, true);
  });
});

describe('createHandlers: presets, dialogs, shell', () => {
  it('checks preset names and options before the store sees them', async () => {
    const { call, presets } = setup();
    assert.equal((await call('presets:save', { name: 'my 224', options: { size: { height: 224, width: 224 } } })).ok, true);
    for (const bad of [{ name: '../x', options: {} }, { name: 'ok', options: { size: '224' } }, 'ok']) {
      const outcome = await call('presets:save', bad);
      assert.equal(!outcome.ok && outcome.error.code, 'preset-invalid', JSON.stringify(bad));
    }
    assert.equal(presets.saved.length, 1);
    assert.equal((await call('presets:rename', 'a', '')).ok, false);
    assert.deepEqual(await call('presets:export', 'my 224'), { ok: true, value: '{"name":"my 224","options":{}}' });
    assert.equal((await call('presets:import', 42)).ok, false);
  });
  it('passes dialogs through, granting what they return, and shows only chosen paths in the folder', async () => {
    const { call, shown, grants } = setup();
    assert.deepEqual(await call('dialog:choose-folder'), { ok: true, value: '/data' });
    assert.deepEqual(await call('dialog:choose-output', '/data.npz'), { ok: true, value: '/data.npz!' });
    assert.equal(grants.has('/data.npz!', 'output'), true);
    assert.deepEqual(await call('dialog:choose-array-file'), { ok: true, value: null });
    assert.deepEqual(await call('dialog:choose-labels'), { ok: true, value: '/data/labels.csv' });
    assert.equal(grants.has('/data/labels.csv', 'labels'), true);
    assert.deepEqual(await call('shell:show-in-folder', '/out/x.npz'), { ok: true, value: true });
    assert.equal((await call('shell:show-in-folder', 'x.npz')).ok, false);
    const hidden = await call('shell:show-in-folder', '/home/someone/secret.txt');
    assert.equal(!hidden.ok && hidden.error.code, 'path-not-chosen');
    assert.deepEqual(shown, ['/out/x.npz']);
  });
  it('suggests a default output only for a chosen input, and grants it', async () => {
    const { call, grants } = setup();
    assert.deepEqual(await call('output:suggest', '/data'), { ok: true, value: '/data-default.npz' });
    assert.equal(grants.has('/data-default.npz', 'output'), true);
    const refused = await call('output:suggest', '/etc');
    assert.equal(!refused.ok && refused.error.code, 'path-not-chosen');
    assert.equal(grants.has('/etc-default.npz', 'output'), false);
  });
});
