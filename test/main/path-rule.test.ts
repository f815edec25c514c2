/**
 * A hostile page speaks the normal IPC verbs with paths it made up. Behind the handlers sits an
 * engine that really acts on whatever path reaches it (lists folders, reads files, deletes on
 * overwrite), and real victim files: the page must get nothing and change nothing.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { HandlerTable } from '../../src/shared/api.js';
import type { ConvertReport } from '../../src/shared/report.js';
import { defaultOutput } from '../../src/main/default-output.js';
import { type DestinationFacts, describeDestination, existingOutput, replaceQuestion } from '../../src/main/destination.js';
import { dispatch } from '../../src/main/dispatch.js';
import type { Engine } from '../../src/main/engine.js';
import { type Dialogs, createHandlers } from '../../src/main/handlers.js';
import { PathGrants } from '../../src/main/path-grants.js';
import { tempDir } from '../helpers/tmp.js';

const entryUrl = 'http://127.0.0.1:4000/index.html';
const trusted = { webContentsIds: new Set([1]), entryUrl };
const appSender = { webContentsId: 1, frameUrl: entryUrl, isMainFrame: true };

/** An engine that does to the file system what the real one would, to whatever it is handed. */
function actingEngine(touched: string[]): Engine {
  const readLabels = async (options: { labels?: string }) => {
    if (options.labels && options.labels !== 'inferred' && options.labels !== 'none') touched.push(await readFile(options.labels, 'utf8'));
  };
  return {
    scanSummary: async (input, options) => {
      await readLabels(options);
      const names = await readdir(input);
      touched.push(...names);
      return { root: input, classNames: names, countsPerClass: {}, emptyClasses: [], total: 0, formats: {}, ignored: [], warnings: [] } as never;
    },
    dryRun: async (input, options) => {
      await readLabels(options);
      for (const name of await readdir(input)) touched.push((await readFile(join(input, name))).subarray(0, 16).toString('base64'));
      return {} as never;
    },
    preview: async (input, options) => {
      await readLabels(options);
      for (const name of await readdir(input)) touched.push((await readFile(join(input, name))).toString('base64'));
      return { items: [], shape: [], dtype: 'uint8', estimatedBytes: 0, backend: 'cpu' } as never;
    },
    inspect: async (path) => (touched.push(await readFile(path, 'utf8')), { path, arrays: [], classNames: null, countsPerClass: null, samples: [] } as never),
    convert: async (job) => {
      await readLabels(job.options);
      if (job.overwrite) await rm(job.output, { recursive: true, force: true });
      await writeFile(job.output, 'arrays');
      touched.push(`wrote ${job.output}`);
      return { jobId: job.jobId, input: job.input, outputs: [{ path: job.output, files: [job.output] }], manifest: '' } as unknown as ConvertReport;
    },
    cleanupJobTemp: async () => {},
  };
}

async function victimTree(t: TestContext) {
  const dir = await tempDir(t, 'img2npy-hostile-');
  const victim = join(dir, 'home');
  await mkdir(join(victim, 'thesis'), { recursive: true });
  await writeFile(join(victim, 'thesis', 'chapter1.tex'), 'years of work');
  await writeFile(join(victim, 'passwords.csv'), 'site,password\nbank,hunter2\n');
  await writeFile(join(victim, 'photo.png'), 'private pixels');
  const chosen = join(dir, 'chosen-images');
  await mkdir(join(chosen, 'cat'), { recursive: true });
  return { dir, victim, chosen };
}

function setup(confirm = false) {
  const touched: string[] = [];
  const asked: string[] = [];
  const grants = new PathGrants();
  const dialogs: Dialogs = {
    chooseFolder: async () => null,
    chooseArchive: async () => null,
    chooseOutput: async () => null,
    chooseArrayFile: async () => null,
    chooseLabels: async () => null,
    confirmReplace: async (existing) => (asked.push(`${existing.path}: ${existing.description}`), confirm),
  };
  const table = createHandlers({
    engine: actingEngine(touched),
    presets: { dir: '/p', list: async () => [], save: async (p) => p, delete: async () => true, rename: async (_f, to) => ({ name: to, options: {} }), import: async () => ({ name: 'i', options: {} }), export: async () => '{}' },
    dialogs,
    shell: { showItemInFolder: () => {} },
    sendProgress: () => {},
    app: { version: 't', platform: 'linux', testBridge: false },
    grants,
    defaultOutput: async (input) => `${input}.npz`,
  });
  const call = (channel: keyof HandlerTable, ...args: unknown[]) => dispatch(table, channel, args, appSender, trusted);
  return { call, touched, asked, grants };
}

const refusal = (outcome: { ok: boolean; error?: { code: string } }) => (outcome.ok ? 'accepted' : outcome.error?.code);

describe('path rule: a hostile page gets nothing from paths the user did not choose', () => {
  it('cannot list a folder, read its images or read a CSV', async (t) => {
    const { victim, chosen } = await victimTree(t);
    const { call, touched, grants } = setup();
    assert.equal(refusal(await call('scan:run', victim, {})), 'path-not-chosen');
    assert.equal(refusal(await call('preview:run', victim, { size: { height: 8, width: 8 } }, 4)), 'path-not-chosen');
    assert.equal(refusal(await call('scan:probe', victim, {})), 'path-not-chosen');
    assert.equal(refusal(await call('inspect:run', join(victim, 'passwords.csv'))), 'path-not-chosen');
    // Even on a folder the user chose, a labels file it did not choose is not read.
    grants.grant(chosen, 'input');
    assert.equal(refusal(await call('scan:run', chosen, { labels: join(victim, 'passwords.csv') })), 'path-not-chosen');
    assert.equal(refusal(await call('preview:run', chosen, { labels: join(victim, 'passwords.csv') }, 4)), 'path-not-chosen');
    // Paths that lead out of a chosen folder are other paths.
    assert.equal(refusal(await call('scan:run', join(chosen, '..', 'home'), {})), 'path-not-chosen');
    assert.equal(refusal(await call('scan:run', join(chosen, 'cat'), {})), 'path-not-chosen');
    assert.deepEqual(touched, [], 'the engine never saw a path');
  });

  it('cannot convert onto a folder it did not choose, with or without overwrite', async (t) => {
    const { victim, chosen } = await victimTree(t);
    const { call, touched, asked, grants } = setup(true);
    grants.grant(chosen, 'input');
    const job = { jobId: 'j1', input: chosen, output: join(victim, 'thesis'), options: {}, overwrite: true };
    const outcome = await call('convert:start', job);
    assert.equal(refusal(outcome), 'path-not-chosen');
    assert.match(!outcome.ok ? outcome.error.message : '', /thesis was not chosen in this window: choose where to write with the Output Choose… button/);
    // An input it did not choose, onto an output the user did choose.
    grants.grant(join(chosen, 'out.npz'), 'output');
    assert.equal(refusal(await call('convert:start', { ...job, input: victim, output: join(chosen, 'out.npz') })), 'path-not-chosen');
    assert.equal(refusal(await call('convert:start', { ...job, output: join(chosen, 'out.npz'), options: { labels: join(victim, 'passwords.csv') } })), 'path-not-chosen');
    assert.deepEqual(touched, []);
    assert.deepEqual(asked, []);
    assert.equal(await readFile(join(victim, 'thesis', 'chapter1.tex'), 'utf8'), 'years of work');
  });

  it('a dialog answer or a drop grants exactly that path; what the app wrote can be inspected', async (t) => {
    const { victim, chosen } = await victimTree(t);
    const { call, touched } = setup();
    assert.equal(refusal(await call('paths:dropped', chosen)), 'accepted');
    assert.equal(refusal(await call('scan:run', chosen, {})), 'accepted');
    assert.equal(refusal(await call('output:suggest', chosen)), 'accepted');
    const written = await call('convert:start', { jobId: 'j2', input: chosen, output: `${chosen}.npz`, options: {}, overwrite: false });
    assert.equal(refusal(written), 'accepted');
    assert.equal(refusal(await call('inspect:run', `${chosen}.npz`)), 'accepted');
    assert.equal(refusal(await call('inspect:run', join(victim, 'photo.png'))), 'path-not-chosen');
    assert.ok(!touched.some((s) => s.includes('hunter2') || s === Buffer.from('private pixels').toString('base64')));
  });
});

describe('overwrite asks main-process confirmation naming what is replaced', () => {
  it('keeps the output when the user answers Keep it, replaces it only after Replace', async (t) => {
    const { dir, chosen } = await victimTree(t);
    const output = join(dir, 'previous');
    await mkdir(output);
    await writeFile(join(output, 'x.npy'), 'old');
    for (const confirm of [false, true]) {
      const { call, touched, asked, grants } = setup(confirm);
      grants.grant(chosen, 'input');
      grants.grant(output, 'output');
      const outcome = await call('convert:start', { jobId: `j${confirm}`, input: chosen, output, options: {}, overwrite: true });
      assert.deepEqual(asked, [`${output}: a folder with 1 item (x.npy)`]);
      if (!confirm) {
        assert.equal(refusal(outcome), 'cancelled');
        assert.match(!outcome.ok ? outcome.error.message : '', /Nothing was replaced: you chose to keep .*previous/);
        assert.deepEqual(touched, []);
        assert.equal(await readFile(join(output, 'x.npy'), 'utf8'), 'old');
      } else {
        assert.equal(refusal(outcome), 'accepted');
        assert.deepEqual(touched, [`wrote ${output}`]);
      }
    }
  });

  it('asks nothing when nothing is there, or when overwrite is off', async (t) => {
    const { dir, chosen } = await victimTree(t);
    const { call, asked, grants } = setup(false);
    grants.grant(chosen, 'input');
    grants.grant(join(dir, 'new.npz'), 'output');
    assert.equal(refusal(await call('convert:start', { jobId: 'a', input: chosen, output: join(dir, 'new.npz'), options: {}, overwrite: true })), 'accepted');
    assert.deepEqual(asked, []);
  });

  it('the question names the path and what it holds; Keep it is the default', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'a.npz'), Buffer.alloc(2048));
    const existing = await existingOutput(join(dir, 'a.npz'));
    assert.deepEqual(existing, { path: join(dir, 'a.npz'), kind: 'file', description: 'a file of 2.0 KB' });
    const question = replaceQuestion(existing!);
    assert.equal(question.message, `Replace ${join(dir, 'a.npz')}?`);
    assert.match(question.detail, /a file of 2\.0 KB/);
    assert.equal(question.buttons[question.defaultId], 'Keep it');
    assert.equal(question.buttons[question.cancelId], 'Keep it');
    assert.equal(await existingOutput(join(dir, 'missing')), null);
    assert.equal(await existingOutput(join(dir, 'a.npz', 'below')), null);
  });
});

describe('defaultOutput', () => {
  it('goes beside the input when its parent is writable, else to Documents; never onto a taken name', async (t) => {
    const dir = await tempDir(t);
    const input = join(dir, 'images');
    await mkdir(input);
    assert.equal(await defaultOutput(input, { documentsDir: '/docs' }), join(dir, 'images.npz'));
    await writeFile(join(dir, 'images.npz'), 'taken');
    assert.equal(await defaultOutput(input, { documentsDir: '/docs' }), join(dir, 'images-2.npz'));
    const readOnly = await defaultOutput('/mnt/ro/images', { documentsDir: '/home/u/Documents', canWrite: async () => false, exists: async () => false });
    assert.equal(readOnly, '/home/u/Documents/images.npz');
  });
});

describe('overwrite follows the engine destination rules (real core)', () => {
  it('offers to replace only an img2npy output; refuses the input and foreign folders without asking', async (t) => {
    const { checkDestination, convert } = await import('../../src/core/index.js');
    const sharp = (await import('sharp')).default;
    const { dir, victim, chosen } = await victimTree(t);
    for (let i = 0; i < 2; i++) await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(join(chosen, 'cat', `${i}.png`));
    const previous = join(dir, 'previous.npz');
    await convert({ jobId: 'first', input: chosen, output: previous, options: { size: { height: 2, width: 2 } }, overwrite: false });

    const { call, asked, grants, touched } = setupWith((job) => checkDestination(job.input, job.output, { overwrite: true, options: job.options }));
    grants.grant(chosen, 'input');
    for (const out of [previous, join(victim, 'thesis'), chosen]) grants.grant(out, 'output');
    const job = (output: string) => ({ jobId: `j${Math.random().toString(36).slice(2)}`, input: chosen, output, options: { size: { height: 2, width: 2 } }, overwrite: true });

    assert.equal(refusal(await call('convert:start', job(join(victim, 'thesis')))), 'output-exists');
    assert.equal(refusal(await call('convert:start', job(chosen))), 'invalid-option');
    assert.deepEqual(asked, [], 'nothing refusable is offered for replacement');
    assert.equal(await readFile(join(victim, 'thesis', 'chapter1.tex'), 'utf8'), 'years of work');

    assert.equal(refusal(await call('convert:start', job(previous))), 'cancelled');
    assert.equal(asked.length, 1);
    assert.match(asked[0], /previous\.npz: .*img2npy/);
    assert.deepEqual(touched, []);
  });
});

function setupWith(check: (job: { input: string; output: string; options: object }) => Promise<DestinationFacts>) {
  const base = setup(false);
  const table = createHandlers({
    engine: actingEngine(base.touched),
    presets: { dir: '/p', list: async () => [], save: async (p) => p, delete: async () => true, rename: async (_f, to) => ({ name: to, options: {} }), import: async () => ({ name: 'i', options: {} }), export: async () => '{}' },
    dialogs: { chooseFolder: async () => null, chooseArchive: async () => null, chooseOutput: async () => null, chooseArrayFile: async () => null, chooseLabels: async () => null, confirmReplace: async (e) => (base.asked.push(`${e.path}: ${e.description}`), false) },
    shell: { showItemInFolder: () => {} },
    sendProgress: () => {},
    app: { version: 't', platform: 'linux', testBridge: false },
    grants: base.grants,
    defaultOutput: async (input) => `${input}.npz`,
    destination: async (job) => describeDestination(job.output, await check(job)),
  });
  const call = (channel: keyof HandlerTable, ...args: unknown[]) => dispatch(table, channel, args, appSender, trusted);
  return { ...base, call };
}
