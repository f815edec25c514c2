/**
 * The handler table main registers, one handler per request of the IPC contract. A plain
 * function of its dependencies (no Electron): main passes the utility-process engine, native
 * dialogs and shell; tests and the e2e bridge pass the core engine and fakes.
 */
import type { AppInfo, HandlerTable } from '../shared/api.js';
import { Img2npyError, toErrorInfo } from '../shared/errors.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { PresetStore } from '../core/index.js';
import type { Engine } from './engine.js';
import {
  absolutePath, convertJob, jobIdArg, jsonText, optionsArg, presetArg, presetName, previewCount, suggestion,
} from './ipc-args.js';
import { createProgressThrottle } from './progress-throttle.js';

export interface Dialogs {
  chooseFolder(): Promise<string | null>;
  chooseOutput(suggested: string): Promise<string | null>;
  chooseArrayFile(): Promise<string | null>;
}

export interface Shell {
  showItemInFolder(path: string): void;
}

export type Presets = Pick<PresetStore, 'dir' | 'list' | 'save' | 'delete' | 'rename' | 'import' | 'export'>;

export interface HandlerDeps {
  engine: Engine;
  presets: Presets;
  dialogs: Dialogs;
  shell: Shell;
  /** Delivers a progress event to the window; the table throttles before calling it. */
  sendProgress(event: ProgressEvent): void;
  app: Omit<AppInfo, 'presetsDir'>;
  /** Where cleanup failures go (they never replace the job's own error). */
  warn?: (message: string) => void;
}

export function createHandlers(deps: HandlerDeps): HandlerTable {
  const { engine, presets, dialogs } = deps;
  // Jobs in flight, owned by this table: cancel finds them here.
  const jobs = new Map<string, AbortController>();

  return {
    'app:info': async () => ({ ...deps.app, presetsDir: presets.dir }),

    'scan:run': async (input, options) =>
      engine.scanSummary(absolutePath(input, 'input', 'input-not-found'), optionsArg(options)),

    'preview:run': async (input, options, count) =>
      engine.preview(absolutePath(input, 'input', 'input-not-found'), optionsArg(options), previewCount(count)),

    'convert:start': async (raw) => {
      const job = convertJob(raw);
      if (jobs.has(job.jobId)) throw new Img2npyError('invalid-option', `Expected a new jobId but job ${job.jobId} is already running`, { option: 'jobId' });
      const controller = new AbortController();
      const progress = createProgressThrottle(deps.sendProgress);
      jobs.set(job.jobId, controller);
      try {
        const report = await engine.convert(job, { signal: controller.signal, onProgress: (e) => progress.push(e) });
        progress.flush();
        return report;
      } catch (err) {
        progress.cancel();
        const { code } = toErrorInfo(err);
        // A crashed or force-stopped engine could not tidy up after itself.
        if (code === 'engine-crashed' || code === 'cancelled') {
          await engine.cleanupJobTemp(job.output, job.jobId).catch((cleanupErr: unknown) =>
            deps.warn?.(`Could not remove temporary files of job ${job.jobId}: ${toErrorInfo(cleanupErr).message}`),
          );
        }
        throw err;
      } finally {
        jobs.delete(job.jobId);
      }
    },

    'convert:cancel': async (jobId) => {
      const controller = jobs.get(jobIdArg(jobId));
      if (!controller) return false;
      controller.abort();
      return true;
    },

    'inspect:run': async (path) => engine.inspect(absolutePath(path, 'path', 'not-an-array-file')),

    'presets:list': async () => presets.list(),
    'presets:save': async (preset) => presets.save(presetArg(preset)),
    'presets:delete': async (name) => presets.delete(presetName(name)),
    'presets:rename': async (from, to) => presets.rename(presetName(from), presetName(to)),
    'presets:import': async (json) => presets.import(jsonText(json)),
    'presets:export': async (name) => presets.export(presetName(name)),

    'dialog:choose-folder': async () => dialogs.chooseFolder(),
    'dialog:choose-output': async (suggested) => dialogs.chooseOutput(suggestion(suggested)),
    'dialog:choose-array-file': async () => dialogs.chooseArrayFile(),

    'shell:show-in-folder': async (path) => {
      deps.shell.showItemInFolder(absolutePath(path, 'path'));
      return true;
    },
  };
}
