/**
 * The test bridge: the built renderer in Debian's Chromium, talking to the real engine through
 * the same handler table main registers. Each request from the page goes through
 * `page.exposeBinding` → `dispatch` (sender check included) → `createHandlers(...)` with Node-side
 * dependencies: the engine in a child process via the same client/protocol as the utility
 * process, the core preset store in a temp config folder, and fake dialogs and shell.
 * `window.img2npy` is built in the page by the shared `buildApi`, as the preload builds it.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type Frame, type Page, chromium } from 'playwright-core';
import { buildApi, pageChannels, progressChannel } from '../../src/shared/api.js';
import type { ProgressEvent } from '../../src/shared/progress.js';
import { PresetStore, checkDestination, defaultPresetsDir } from '../../src/core/index.js';
import { describeDestination } from '../../src/main/destination.js';
import { dispatch } from '../../src/main/dispatch.js';
import { defaultOutput } from '../../src/main/default-output.js';
import { createEngineClient } from '../../src/main/engine-client.js';
import { type Dialogs, createHandlers } from '../../src/main/handlers.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { forkNodeEngine } from './engine-host-node.js';
import { serveRenderer } from './static-server.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const rendererDir = join(repoRoot, 'out', 'renderer');
export const screenshotDir = join(repoRoot, 'e2e', 'screenshots');

export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** What the fake native dialogs answer next (null = the user cancelled). */
export interface DialogAnswers {
  folder: string | null;
  archive: string | null;
  output: string | null;
  arrayFile: string | null;
  labels: string | null;
  /** What the replace confirmation answers. */
  replace: boolean;
}

export interface AppUnderTest {
  page: Page;
  dir: string;
  /** XDG_CONFIG_HOME of this test: presets live in <configHome>/img2npy/presets. */
  configHome: string;
  answers: DialogAnswers;
  /** Paths of the replace confirmations main asked, in order. */
  replaceAsked: string[];
  /**
   * Files the "OS" can drop on the window, by name: what webUtils.getPathForFile answers in the
   * app. Set from the test (Node side), so the page cannot grant itself paths.
   */
  droppable: Map<string, string>;
  shownInFolder: string[];
  progress: ProgressEvent[];
  engines: ChildProcess[];
  /** Console errors and CSP violations seen so far (expected to stay empty). */
  problems: string[];
  screenshot(name: string): Promise<string>;
}

// The page gets the shared buildApi's own source; tsx's keepNames adds `__name` calls to it.
const initScript = `(() => {
  const __name = (fn) => fn;
  const buildApi = ${buildApi.toString()};
  const listeners = new Set();
  const api = buildApi((channel, args) => window.__img2npyInvoke(channel, args), {
    onProgress(listener, options) {
      const stop = () => listeners.delete(listener);
      listeners.add(listener);
      const signal = options && options.signal;
      if (signal) {
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      }
      return stop;
    },
    pathForFile: (file) => window.__img2npyDrop(file.name),
  });
  Object.defineProperty(window, 'img2npy', { value: Object.freeze(api) });
  Object.defineProperty(window, '__img2npyTest', {
    value: {
      channel: ${JSON.stringify(progressChannel)},
      push: (event) => listeners.forEach((listener) => listener(event)),
      listeners: () => listeners.size,
    },
  });
  document.addEventListener('securitypolicyviolation', (e) =>
    console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
})();`;

export async function launchApp(t: TestContext, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<AppUnderTest> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The e2e specs need the built renderer in ${rendererDir}: run \`npm run build\` first`);
  }
  const dir = await tempDir(t, 'img2npy-e2e-');
  const configHome = join(dir, 'config');
  await mkdir(configHome, { recursive: true });
  const answers: DialogAnswers = { folder: null, archive: null, output: null, arrayFile: null, labels: null, replace: false };
  const replaceAsked: string[] = [];
  const droppable = new Map<string, string>();
  const shownInFolder: string[] = [];
  const progress: ProgressEvent[] = [];
  const engines: ChildProcess[] = [];
  const problems: string[] = [];

  const server = await serveRenderer(rendererDir);
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const engine = createEngineClient(() => forkNodeEngine((child) => engines.push(child)));
  t.after(async () => {
    engine.dispose();
    await browser.close();
    await server.close();
  });

  const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

  const dialogs: Dialogs = {
    chooseFolder: async () => answers.folder,
    chooseArchive: async () => answers.archive,
    chooseOutput: async () => answers.output,
    chooseArrayFile: async () => answers.arrayFile,
    chooseLabels: async () => answers.labels,
    confirmReplace: async (existing) => (replaceAsked.push(existing.path), answers.replace),
  };
  const table = createHandlers({
    engine,
    presets: new PresetStore(defaultPresetsDir({ ...process.env, XDG_CONFIG_HOME: configHome }, 'linux')),
    dialogs,
    shell: { showItemInFolder: (path) => void shownInFolder.push(path) },
    sendProgress: (event) => {
      progress.push(event);
      page.evaluate((e) => (window as unknown as { __img2npyTest: { push(e: unknown): void } }).__img2npyTest.push(e), event).catch(() => {});
    },
    app: { version: 'e2e', platform: process.platform, testBridge: true },
    defaultOutput: (input) => defaultOutput(input, { documentsDir: join(dir, 'Documents') }),
    destination: async (job) => describeDestination(job.output, await checkDestination(job.input, job.output, { overwrite: true, options: job.options })),
  });
  const trusted = { webContentsIds: new Set([1]), entryUrl: server.url };
  const senderOf = (source: { page: Page; frame: Frame }) => ({
    webContentsId: source.page === page ? 1 : 0,
    frameUrl: source.frame.url(),
    isMainFrame: source.frame === page.mainFrame(),
  });
  // The page reaches only its verbs' channels, as under Electron's contextBridge.
  await page.exposeBinding('__img2npyInvoke', (source, channel: unknown, args: unknown) =>
    (pageChannels as readonly unknown[]).includes(channel)
      ? dispatch(table, channel, args, senderOf(source), trusted)
      : { ok: false, error: { code: 'internal', message: `Unknown request ${String(channel)}` } },
  );
  // The preload's side of a drop: the real path of a dropped file, registered with main.
  await page.exposeBinding('__img2npyDrop', async (source, name: unknown) => {
    const path = typeof name === 'string' ? droppable.get(name) : undefined;
    if (!path) return '';
    const registered = await dispatch(table, 'paths:dropped', [path], senderOf(source), trusted);
    return registered.ok ? path : '';
  });
  await page.addInitScript(initScript);
  await page.goto(server.url);
  await page.getByRole('heading', { name: 'img2npy' }).waitFor();

  return {
    page, dir, configHome, answers, replaceAsked, droppable, shownInFolder, progress, engines, problems,
    async screenshot(name) {
      await mkdir(screenshotDir, { recursive: true });
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
}

/** Chooses `folder` with the (fake) Browse dialog and waits for the scan summary. */
export async function chooseFolder(app: AppUnderTest, folder: string): Promise<void> {
  app.answers.folder = folder;
  await app.page.getByRole('button', { name: 'Browse…' }).click();
}

/** Chooses `archive` with the (fake) Browse archive… dialog (the scan summary follows). */
export async function chooseArchive(app: AppUnderTest, archive: string | null): Promise<void> {
  app.answers.archive = archive;
  await app.page.getByRole('button', { name: 'Browse archive…', exact: true }).click();
}

/** Types an option into its generated field (text or number input). */
/** Chooses `output` with the (fake) Output Choose… dialog and waits until the field shows it. */
export async function chooseOutput(app: AppUnderTest, output: string): Promise<void> {
  app.answers.output = output;
  await app.page.getByRole('button', { name: 'Choose…', exact: true }).first().click();
  await app.page.waitForFunction((o) => (document.getElementById('output-path') as HTMLInputElement | null)?.value === o, output);
}

/** Opens Advanced options (collapsed at first) and one of its groups. */
export async function openGroup(app: AppUnderTest, group: string): Promise<void> {
  const advanced = app.page.getByTestId('advanced');
  if (!(await advanced.evaluate((d) => (d as HTMLDetailsElement).open))) await advanced.locator('> summary').click();
  const details = app.page.locator(`details[data-group="${group}"]`);
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('> summary').click();
}

export async function setOption(app: AppUnderTest, label: string, value: string): Promise<void> {
  await app.page.getByLabel(label, { exact: true }).fill(value);
}
