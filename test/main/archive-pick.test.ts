/**
 * Browse archive…: the dialog picks one file among the archive kinds, and the handler grants
 * its answer as an input exactly as a folder pick is granted (scan, preview, suggested output
 * then work on it); a cancelled pick or a file that is no archive grants nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HandlerTable, archiveSuffixes } from '../../src/shared/api.js';
import type { ScanSummary } from '../../src/shared/report.js';
import { archiveDialog, archivePicked } from '../../src/main/archive-pick.js';
import { defaultOutput } from '../../src/main/default-output.js';
import { dispatch } from '../../src/main/dispatch.js';
import type { Engine } from '../../src/main/engine.js';
import { createHandlers } from '../../src/main/handlers.js';
import { PathGrants } from '../../src/main/path-grants.js';

const entryUrl = 'http://127.0.0.1:4000/index.html';
const trusted = { webContentsIds: new Set([1]), entryUrl };
const appSender = { webContentsId: 1, frameUrl: entryUrl, isMainFrame: true };

function setup(picks: (string | null)[]) {
  const scanned: string[] = [];
  const grants = new PathGrants();
  const engine = { scanSummary: async (input: string) => (scanned.push(input), { root: input } as ScanSummary) } as unknown as Engine;
  const none = async () => null;
  const table = createHandlers({
    engine,
    presets: {} as never,
    dialogs: { chooseFolder: none, chooseArchive: async () => picks.shift() ?? null, chooseOutput: none, chooseArrayFile: none, chooseLabels: none, confirmReplace: async () => false },
    shell: { showItemInFolder: () => undefined },
    sendProgress: () => undefined,
    app: { version: 't', platform: 'linux', testBridge: false },
    grants,
    defaultOutput: async (input) => `${input}.npz`,
    destination: async () => null,
  });
  const call = (channel: keyof HandlerTable, ...args: unknown[]) => dispatch(table, channel, args, appSender, trusted);
  return { call, grants, scanned };
}

describe('archive pick', () => {
  it('the dialog opens one file, filtered to the archive kinds (.tar.gz by its last extension)', () => {
    assert.deepEqual(archiveDialog.properties, ['openFile', 'dontAddToRecent']);
    assert.equal(archiveDialog.properties.includes('openDirectory' as never), false);
    assert.deepEqual(archiveDialog.filters[0].extensions.sort(), ['gz', 'tar', 'tgz', 'zip']);
    assert.match(archiveDialog.filters[0].name, /\.zip, \.tar, \.tar\.gz, \.tgz/);
  });

  it('takes every archive suffix in any case; refuses other files naming them; null stays null', () => {
    for (const s of archiveSuffixes) assert.equal(archivePicked(`/d/pets${s.toUpperCase()}`), `/d/pets${s.toUpperCase()}`);
    assert.equal(archivePicked(null), null);
    for (const bad of ['/d/notes.gz', '/d/pets.rar', '/d/cat.png']) {
      assert.throws(() => archivePicked(bad), (err: Error & { code?: string; file?: string }) => {
        assert.equal(err.code, 'input-unreadable');
        assert.equal(err.file, bad);
        assert.match(err.message, /is not a \.zip, \.tar, \.tar\.gz, \.tgz archive: choose one with Browse archive…, or an image folder with Browse…/);
        return true;
      });
    }
  });

  it('a picked archive is granted as an input: scan and suggested output work on it, as for a folder', async () => {
    const { call, grants, scanned } = setup(['/data/pets.tar.gz']);
    assert.equal((await call('scan:run', '/data/pets.tar.gz', {})).ok, false, 'not chosen yet');
    assert.deepEqual(await call('dialog:choose-archive'), { ok: true, value: '/data/pets.tar.gz' });
    assert.equal(grants.has('/data/pets.tar.gz', 'input'), true);
    assert.equal(grants.has('/data/pets.tar.gz', 'output'), false);
    assert.equal((await call('scan:run', '/data/pets.tar.gz', {})).ok, true);
    assert.deepEqual(scanned, ['/data/pets.tar.gz']);
    assert.deepEqual(await call('output:suggest', '/data/pets.tar.gz'), { ok: true, value: '/data/pets.tar.gz.npz' });
    // Only the file picked: its folder and its neighbours stay unchosen.
    for (const other of ['/data', '/data/other.zip']) {
      const refused = await call('scan:run', other, {});
      assert.equal(!refused.ok && refused.error.code, 'path-not-chosen');
      assert.match(!refused.ok ? refused.error.message : '', /Browse archive…/);
    }
  });

  it('a cancelled pick or a file that is no archive grants nothing', async () => {
    const { call, grants } = setup([null, '/data/notes.gz']);
    assert.deepEqual(await call('dialog:choose-archive'), { ok: true, value: null });
    const refused = await call('dialog:choose-archive');
    assert.equal(!refused.ok && refused.error.code, 'input-unreadable');
    assert.equal(grants.has('/data/notes.gz', 'input'), false);
    assert.equal(grants.isKnown('/data/notes.gz'), false);
  });

  it('the suggested output of an archive drops its suffix (pets.tar.gz → pets.npz), and never names what exists', async () => {
    const deps = (taken: string[] = []) => ({ documentsDir: '/docs', canWrite: async () => true, exists: async (p: string) => taken.includes(p) });
    assert.equal(await defaultOutput('/data/pets.tar.gz', deps()), '/data/pets.npz');
    assert.equal(await defaultOutput('/data/Pets.TGZ', deps()), '/data/Pets.npz');
    assert.equal(await defaultOutput('/data/pets.zip', deps(['/data/pets.npz'])), '/data/pets-2.npz');
    assert.equal(await defaultOutput('/data/.tar', deps()), '/data/.tar.npz');
  });
});
