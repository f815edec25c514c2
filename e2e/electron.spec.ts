/**
 * The real app under Electron (playwright-core's _electron): sandboxed window, preload verbs,
 * IPC to main, engine in the utility process, headless CLI. Runs only where the Electron binary
 * is installed; this workplace installs the package without it (ELECTRON_SKIP_BINARY_DOWNLOAD).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { _electron as electron } from 'playwright-core';
import { tempDir } from '../test/helpers/tmp.js';
import { repoRoot } from './support/bridge.js';
import { makeSmallSet } from './support/fixtures.js';

function electronBinary(): { path: string } | { reason: string } {
  let path: string;
  try {
    path = createRequire(import.meta.url)('electron') as string;
  } catch (err) {
    return { reason: `the electron package has no binary here (${(err as Error).message.split('\n')[0]})` };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { reason: `${path} is missing or not executable` };
  }
  return { path };
}

const binary = electronBinary();
const skip = 'reason' in binary ? `Electron binary not available: ${binary.reason}` : false;
const mainEntry = join(repoRoot, 'out', 'main', 'index.js');
/** The built files, never a dev server that may be running. */
function withoutDevServer(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ELECTRON_RENDERER_URL: _ignored, ...rest } = env;
  return rest;
}

const linuxArgs = process.platform === 'linux' ? ['--no-sandbox'] : [];

test('Electron: sandboxed window, verbs only, scan and convert through the utility process', { skip }, async (t) => {
  assert.ok(existsSync(mainEntry), 'the app is built (npm run build)');
  const dir = await tempDir(t, 'img2npy-electron-');
  const folder = await makeSmallSet(dir);
  const app = await electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [...linuxArgs, repoRoot],
    env: { ...withoutDevServer(process.env), XDG_CONFIG_HOME: join(dir, 'config') },
  });
  t.after(() => app.close());
  const page = await app.firstWindow();
  await page.getByRole('heading', { name: 'img2npy' }).waitFor();

  // getLastWebPreferences is Electron's own (untyped) view of what the window really got.
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const wins = BrowserWindow.getAllWindows();
    const contents = wins[0].webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null };
    const p = contents.getLastWebPreferences?.() ?? {};
    return { count: wins.length, sandbox: p.sandbox, contextIsolation: p.contextIsolation, nodeIntegration: p.nodeIntegration };
  });
  assert.deepEqual(prefs, { count: 1, sandbox: true, contextIsolation: true, nodeIntegration: false });
  assert.deepEqual(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process]), ['undefined', 'undefined']);
  assert.deepEqual(
    await page.evaluate(() => Object.keys((window as unknown as { img2npy: object }).img2npy).sort()),
    ['appInfo', 'cancel', 'convert', 'dialogs', 'inspect', 'onProgress', 'pathForFile', 'presets', 'preview', 'scan', 'showInFolder'],
  );

  // Navigation and new windows are refused.
  await page.evaluate(() => window.open('https://example.com/'));
  await page.evaluate(() => void (location.href = 'https://example.com/'));
  await page.waitForTimeout(300);
  assert.match(page.url(), /out\/renderer\/index\.html$/);
  assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length), 1);

  // Native dialogs answered from main, where they live.
  const output = join(dir, 'out', 'animals.npz');
  await mkdir(join(dir, 'out'));
  await app.evaluate(({ dialog }, answers) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [answers.folder] })) as typeof dialog.showOpenDialog;
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath: answers.output })) as typeof dialog.showSaveDialog;
  }, { folder, output });
  await page.getByRole('button', { name: 'Browse…' }).click();
  await page.getByTestId('scan-total').filter({ hasText: '9' }).waitFor();
  await page.getByLabel('Size (HxW)', { exact: true }).fill('8x8');
  await page.getByTestId('preview-shape').filter({ hasText: '(9, 8, 8, 3)' }).waitFor();
  await page.getByRole('button', { name: 'Choose…' }).click();
  await page.getByRole('button', { name: 'Convert' }).click();
  await page.locator('[data-testid="progress"][data-status="done"]').waitFor({ timeout: 60_000 });
  assert.ok(existsSync(output));

  // The engine runs in a utility process, not in main.
  const types = await app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics().map((m) => m.type));
  assert.ok(types.includes('Utility'), `process types ${types.join(',')}`);
});

test('Electron: --headless runs the CLI with no window and exits with its code', { skip }, async (t) => {
  assert.ok(existsSync(mainEntry), 'the app is built (npm run build)');
  const dir = await tempDir(t, 'img2npy-headless-');
  const run = promisify(execFile);
  const ok = await run((binary as { path: string }).path, [...linuxArgs, repoRoot, '--headless', 'presets', 'list', '--json'], {
    env: { ...process.env, XDG_CONFIG_HOME: dir },
  });
  assert.match(ok.stdout, /"type":"result"/);
  await assert.rejects(
    run((binary as { path: string }).path, [...linuxArgs, repoRoot, '--headless', 'no-such-command'], { env: { ...process.env, XDG_CONFIG_HOME: dir } }),
    (err: { code?: number }) => err.code === 2,
  );
});
