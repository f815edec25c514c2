import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConvertReport } from '../../src/shared/report.js';
import { Img2npyError } from '../../src/shared/errors.js';
import { dispatch } from '../../src/main/dispatch.js';
import type { Engine } from '../../src/main/engine.js';
import { createHandlers } from '../../src/main/handlers.js';
import { JobRegistry } from '../../src/main/job-registry.js';
import { PathGrants } from '../../src/main/path-grants.js';
import { quitQuestion, renderGoneQuestion } from '../../src/main/questions.js';
import { createQuitGuard } from '../../src/main/quit-guard.js';

const tick = () => new Promise((r) => setImmediate(r));

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler table whose engine runs until cancelled, then needs `cleanupDone` to tidy up. */
function appWithRunningJob() {
  const log: string[] = [];
  const cleanupDone = deferred();
  const engine: Engine = {
    scanSummary: async () => { throw new Error('unused'); },
    dryRun: async () => { throw new Error('unused'); },
    preview: async () => { throw new Error('unused'); },
    inspect: async () => { throw new Error('unused'); },
    convert: (_job, ctx) =>
      new Promise<ConvertReport>((_resolve, reject) =>
        ctx?.signal?.addEventListener('abort', () => (log.push('engine cancelled'), reject(new Img2npyError('cancelled', 'Cancelled')))),
      ),
    cleanupJobTemp: async () => {
      log.push('cleanup started');
      await cleanupDone.promise;
      log.push('cleanup done');
    },
  };
  const jobs = new JobRegistry();
  const grants = new PathGrants();
  grants.grant('/in', 'input');
  grants.grant('/out.npz', 'output');
  const table = createHandlers({
    engine, jobs, grants,
    presets: { dir: '/p', list: async () => [], save: async (p) => p, delete: async () => true, rename: async (_f, to) => ({ name: to, options: {} }), import: async () => ({ name: 'i', options: {} }), export: async () => '{}' },
    dialogs: { chooseFolder: async () => null, chooseArchive: async () => null, chooseOutput: async () => null, chooseArrayFile: async () => null, chooseLabels: async () => null, confirmReplace: async () => false },
    shell: { showItemInFolder: () => {} },
    sendProgress: () => {},
    app: { version: 't', platform: 'linux', testBridge: false },
    defaultOutput: async (i) => `${i}.npz`,
  });
  const sender = { webContentsId: 1, frameUrl: 'http://a/index.html', isMainFrame: true };
  const running = dispatch(table, 'convert:start', [{ jobId: 'j', input: '/in', output: '/out.npz', options: {}, overwrite: false }], sender, { webContentsIds: new Set([1]), entryUrl: 'http://a/index.html' });
  return { log, jobs, running, cleanupDone };
}

describe('quit guard', () => {
  it('lets a quit through when nothing runs', () => {
    const guard = createQuitGuard({ jobs: new JobRegistry(), askCancel: async () => assert.fail('asked'), quit: () => assert.fail('quit') });
    assert.equal(guard.intercept(), false);
  });

  it('asks once; Keep converting leaves the job running and a later quit asks again', async () => {
    const app = appWithRunningJob();
    await tick();
    let asked = 0;
    const guard = createQuitGuard({ jobs: app.jobs, askCancel: async () => (asked++, false), quit: () => assert.fail('quit') });
    assert.equal(guard.intercept(), true);
    assert.equal(guard.intercept(), true, 'a second quit while asking is held too');
    await tick();
    assert.equal(asked, 1);
    assert.equal(app.jobs.count(), 1);
    assert.equal(guard.intercept(), true);
    await tick();
    assert.equal(asked, 2);
  });

  it('Cancel and quit cancels, waits for the temp cleanup, then quits', async () => {
    const app = appWithRunningJob();
    await tick();
    const quit = deferred();
    const guard = createQuitGuard({ jobs: app.jobs, askCancel: async (count) => (app.log.push(`asked ${count}`), true), quit: () => (app.log.push('quit'), quit.resolve()) });
    assert.equal(guard.intercept(), true);
    for (let i = 0; i < 5; i++) await tick();
    assert.deepEqual(app.log, ['asked 1', 'engine cancelled', 'cleanup started'], 'no quit before the cleanup ends');
    app.cleanupDone.resolve();
    await quit.promise;
    assert.deepEqual(app.log, ['asked 1', 'engine cancelled', 'cleanup started', 'cleanup done', 'quit']);
    assert.equal((await app.running).ok, false);
    assert.equal(guard.intercept(), false, 'the quit it started goes through');
  });

  it('words its questions for the window; a clean page exit asks nothing', () => {
    assert.equal(quitQuestion(1).buttons[quitQuestion(1).defaultId], 'Keep converting');
    assert.match(quitQuestion(2).message, /2 conversions are running/);
    assert.equal(renderGoneQuestion('clean-exit'), null);
    assert.match(renderGoneQuestion('crashed')!.message, /crashed/);
    assert.equal(renderGoneQuestion('oom')!.buttons[0], 'Reload');
  });
});
