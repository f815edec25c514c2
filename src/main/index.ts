/**
 * Electron main: one sandboxed window over the handler table, the engine in a utility process,
 * or, with `--headless <cli args>`, the command line with no window.
 */
import { BrowserWindow, app, session, shell, utilityProcess } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { progressChannel } from '../shared/api.js';
// Core's index is light (stages load on first call): main uses only the preset store and the
// destination rules from it; sharp stays in the engine process.
import { PresetStore, checkDestination } from '../core/index.js';
import { contentSecurityPolicy } from './csp.js';
import { electronDialogs } from './dialogs.js';
import { createEngineClient } from './engine-client.js';
import { forkEngineProcess } from './engine-host.js';
import { defaultOutput } from './default-output.js';
import { describeDestination } from './destination.js';
import { createHandlers } from './handlers.js';
import { headlessArgs } from './headless.js';
import { registerIpc } from './ipc.js';
import { createMainWindow, hardenSession, hardenWebContents } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));

async function runHeadless(argv: string[]): Promise<void> {
  app.disableHardwareAcceleration();
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    app.commandLine.appendSwitch('ozone-platform', 'headless');
  }
  app.dock?.hide();
  await app.whenReady();
  const child = utilityProcess.fork(join(here, 'cli-process.js'), [], { serviceName: 'img2npy cli', stdio: 'inherit' });
  child.once('exit', (code) => app.exit(code));
  child.postMessage({ argv });
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
  const table = createHandlers({
    engine,
    presets,
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

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => engine.dispose());

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, contentSecurityPolicy({ dev: devUrl !== undefined }));
    const created = createMainWindow({ preload: join(here, '../preload/index.cjs'), entryUrl });
    const id = created.webContents.id;
    windowIds.add(id);
    created.on('closed', () => {
      windowIds.delete(id);
      win = null;
    });
    win = created;
  });
}

const cliArgs = headlessArgs(process.argv);
if (cliArgs) void runHeadless(cliArgs);
else runApp();
