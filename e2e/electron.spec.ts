/**
 * The real app under Electron (playwright-core's _electron): sandboxed window, preload verbs,
 * IPC to main, engine in the utility process, headless CLI. Runs only where the Electron binary
 * is installed; this workplace installs the package without it (ELECTRON_SKIP_BINARY_DOWNLOAD).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { _electron as electron } from 'playwright-core';
import { tempDir } from '../test/helpers/tmp.js';
import { repoRoot } from './support/bridge.js';
import { makeSlowSet, makeSmallSet } from './support/fixtures.js';

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
    ['appInfo', 'cancel', 'convert', 'dialogs', 'inspect', 'onProgress', 'pathForFile', 'presets', 'preview', 'probe', 'scan', 'showInFolder', 'suggestOutput'],
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

  // The engine runs in its own utility process, not in main (Chromium's network service is a
  // Utility process too, so the type alone proves nothing: look for the engine's serviceName).
  const services = await app.evaluate(({ app: electronApp }) =>
    electronApp.getAppMetrics().map((m) => `${m.type}:${(m as { serviceName?: string }).serviceName ?? ''}`),
  );
  assert.ok(services.includes('Utility:img2npy engine'), `processes ${services.join(', ')}`);

  // A path the user never chose is refused by main, from the real preload.
  const refused = await page.evaluate(async (victim) => {
    const api = (window as unknown as { img2npy: { scan(p: string, o: object): Promise<{ ok: boolean; error?: { code: string } }> } }).img2npy;
    return (await api.scan(victim, {})).error?.code;
  }, dir);
  assert.equal(refused, 'path-not-chosen');
});

const run = promisify(execFile);
const headlessArgsFor = (cli: string[]) => [...linuxArgs, '--ozone-platform=headless', repoRoot, '--headless', ...cli];

test('Electron: --headless convert loads sharp in the CLI process and writes the arrays', { skip }, async (t) => {
  const dir = await tempDir(t, 'img2npy-headless-convert-');
  const folder = await makeSmallSet(dir);
  const output = join(dir, 'animals.npz');
  const { stdout } = await run((binary as { path: string }).path, headlessArgsFor(['convert', folder, '--out', output, '--size', '8x8', '--json']), {
    env: { ...withoutDevServer(process.env), XDG_CONFIG_HOME: dir, DISPLAY: '', WAYLAND_DISPLAY: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string }).find((l) => l.type === 'result');
  assert.ok(result, 'the JSON result line arrived whole');
  assert.ok(existsSync(output));
});

test('Electron: Ctrl-C during a headless convert removes the temp folder and exits 130', { skip }, async (t) => {
  const dir = await tempDir(t, 'img2npy-headless-sigint-');
  const folder = await makeSlowSet(dir, 60, 1024);
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  const child = spawn((binary as { path: string }).path, headlessArgsFor(['convert', folder, '--out', join(outDir, 'slow.npz'), '--size', '64x64', '--json']), {
    env: { ...withoutDevServer(process.env), XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Wait for the first progress line: the job is running and its temp folder exists.
  await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('"progress"') && resolve()));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 130);
  assert.deepEqual(await readdir(outDir), [], 'no output and no temporary folder');
});

test('Electron: quitting during a conversion asks, cancels, removes the temp folder, then quits', { skip }, async (t) => {
  const dir = await tempDir(t, 'img2npy-quit-');
  const folder = await makeSlowSet(dir, 60, 1024);
  const outDir = join(dir, 'out');
  await mkdir(outDir);
  const app = await electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [...linuxArgs, repoRoot],
    env: { ...withoutDevServer(process.env), XDG_CONFIG_HOME: join(dir, 'config') },
  });
  const page = await app.firstWindow();
  await app.evaluate(({ dialog }, answers) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [answers.folder] })) as typeof dialog.showOpenDialog;
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath: answers.output })) as typeof dialog.showSaveDialog;
    // The quit question: answer "Cancel and quit", and count it.
    dialog.showMessageBox = (async (...args: unknown[]) => {
      const options = args.at(-1) as { buttons: string[] };
      (globalThis as { asked?: number }).asked = ((globalThis as { asked?: number }).asked ?? 0) + 1;
      return { response: options.buttons.indexOf('Cancel and quit'), checkboxChecked: false };
    }) as typeof dialog.showMessageBox;
  }, { folder, output: join(outDir, 'slow.npz') });
  await page.getByRole('button', { name: 'Browse…' }).click();
  await page.getByTestId('scan-summary').waitFor();
  await page.getByLabel('Size (HxW)', { exact: true }).fill('64x64');
  await page.getByRole('button', { name: 'Choose…' }).click();
  await page.getByRole('button', { name: 'Convert' }).click();
  await page.waitForFunction(() => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? 0) > 0);
  const closed = new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
  await app.evaluate(({ app: electronApp }) => electronApp.quit());
  await closed;
  assert.deepEqual(await readdir(outDir), [], 'the job was cancelled and its temp folder removed before quitting');
});

test('Electron: --headless runs the CLI with no window and exits with its code', { skip }, async (t) => {
  assert.ok(existsSync(mainEntry), 'the app is built (npm run build)');
  const dir = await tempDir(t, 'img2npy-headless-');
  const run = promisify(execFile);
  const ok = await run((binary as { path: string }).path, headlessArgsFor(['presets', 'list', '--json']), {
    env: { ...process.env, XDG_CONFIG_HOME: dir },
  });
  assert.match(ok.stdout, /"type":"result"/);
  await assert.rejects(
    run((binary as { path: string }).path, headlessArgsFor(['no-such-command']), { env: { ...process.env, XDG_CONFIG_HOME: dir } }),
    (err: { code?: number }) => err.code === 2,
  );
});
