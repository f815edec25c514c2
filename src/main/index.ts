/**
 * Electron main: one sandboxed window over the handler table, the engine in a utility process,
 * or, with `--headless <cli args>`, the command line with no window (see headless-supervisor.ts;
 * on a Linux machine without a display start it through resources/img2npy-headless, which puts
 * `--ozone-platform=headless` on the real command line, where Electron reads it).
 */
import { BrowserWindow, app, dialog, session, shell, utilityProcess } from 'electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { progressChannel } from '../shared/api.js';
// Core's index is light (stages load on first call): main uses only the preset store, the
// destination rules and the malloc settings from it; sharp stays in the engine process.
import { PresetStore, checkDestination } from '../core/index.js';
import { contentSecurityPolicy } from './csp.js';
import { electronDialogs } from './dialogs.js';
import { createEngineClient } from './engine-client.js';
import { forkEngineProcess } from './engine-host.js';
import { engineEnv } from './engine-env.js';
import { defaultOutput } from './default-output.js';
import { describeDestination } from './destination.js';
import { createHandlers } from './handlers.js';
import { headlessArgs } from './headless.js';
import { superviseHeadless } from './headless-supervisor.js';
import { registerIpc } from './ipc.js';
import { JobRegistry } from './job-registry.js';
import { renderGoneQuestion, quitQuestion } from './questions.js';
import { createQuitGuard } from './quit-guard.js';
import { createMainWindow, hardenSession, hardenWebContents } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A failure nothing else handles would leave a windowless process running forever: end it. */
function fatal(err: unknown): void {
  process.stderr.write(`img2npy: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  app.exit(1);
}
process.on('unhandledRejection', fatal);
process.on('uncaughtException', fatal);

function runHeadless(argv: string[]): void {
  // Its own throwaway profile: a window may be running with the real one.
  const profile = mkdtempSync(join(tmpdir(), 'img2npy-headless-'));
  app.setPath('userData', profile);
  app.setPath('sessionData', profile);
  app.disableHardwareAcceleration();
  app.dock?.hide();
  void app.whenReady().then(() => {
    const child = utilityProcess.fork(join(here, 'cli-process.js'), [], {
      serviceName: 'img2npy cli',
      stdio: 'inherit',
      env: engineEnv(process.env, process.resourcesPath),
    });
    superviseHeadless({
      child: {
        stop: () => child.postMessage({ stop: true }),
        kill: () => void child.kill(),
        onExit: (listener) => child.once('exit', listener),
      },
      onSignal: (signal, listener) => void process.on(signal, listener),
      cleanup: () => rmSync(profile, { recursive: true, force: true }),
      exit: (code) => app.exit(code),
    });
    child.postMessage({ argv });
  }, fatal);
}

function runApp(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();

  // The dev server URL is honoured only in development: a packaged app always shows its own files.
  const devUrl = (!app.isPackaged && process.env.ELECTRON_RENDERER_URL) || undefined;
  const entryUrl = devUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href;
  const windowIds = new Set<number>();
  let win: BrowserWindow | null = null;

  const presets = new PresetStore();
  const engine = createEngineClient(() => forkEngineProcess(join(here, 'engine-process.js')));
  const jobs = new JobRegistry();
  const table = createHandlers({
    engine,
    presets,
    jobs,
    dialogs: electronDialogs(() => win),
    shell: { showItemInFolder: (path) => shell.showItemInFolder(path) },
    sendProgress: (event) => {
      if (win && !win.isDestroyed()) win.webContents.send(progressChannel, event);
    },
    app: { version: app.getVersion(), platform: process.platform, testBridge: false },
    warn: (message) => console.warn(message),
    defaultOutput: (input) => defaultOutput(input, { documentsDir: app.getPath('documents') }),
    destination: async (job) => describeDestination(job.output, await checkDestination(job.input, job.output, { overwrite: true, options: job.options })),
  });
  registerIpc(table, () => ({ webContentsIds: windowIds, entryUrl }));

  const guard = createQuitGuard({
    jobs,
    askCancel: async (count) => {
      const question = quitQuestion(count);
      const parent = win && !win.isDestroyed() ? win : null;
      const { response } = parent ? await dialog.showMessageBox(parent, question) : await dialog.showMessageBox(question);
      return question.buttons[response] === 'Cancel and quit';
    },
    quit: () => app.quit(),
    warn: (message) => console.warn(message),
  });

  const openWindow = () => {
    const created = createMainWindow({ preload: join(here, '../preload/index.cjs'), entryUrl, onLoadFailed: fatal });
    const id = created.webContents.id;
    windowIds.add(id);
    // Closing the window during a conversion asks first, as quitting does.
    created.on('close', (event) => {
      if (guard.intercept()) event.preventDefault();
    });
    created.on('closed', () => {
      windowIds.delete(id);
      win = null;
    });
    // The page died (crash, out of memory): offer a reload; main keeps the engine and its jobs.
    created.webContents.on('render-process-gone', (_event, details) => {
      const question = renderGoneQuestion(details.reason);
      if (!question) return;
      void dialog.showMessageBox(created, question).then(({ response }) => {
        if (created.isDestroyed()) return;
        if (question.buttons[response] === 'Reload') created.webContents.reload();
        else created.close();
      });
    });
    win = created;
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // macOS keeps the app running without windows; the Dock icon opens one again.
  app.on('activate', () => {
    if (!win && app.isReady()) openWindow();
  });
  app.on('before-quit', (event) => {
    if (guard.intercept()) event.preventDefault();
  });
  app.on('will-quit', () => engine.dispose());

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, contentSecurityPolicy({ dev: devUrl !== undefined }));
    openWindow();
  }, fatal);
}

const cliArgs = headlessArgs(process.argv);
if (cliArgs) runHeadless(cliArgs);
else runApp();
