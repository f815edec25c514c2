/**
 * The handler table main registers, one handler per request of the IPC contract. A plain
 * function of its dependencies (no Electron): main passes the utility-process engine, native
 * dialogs and shell; tests and the e2e bridge pass the core engine and fakes.
 */
import type { AppInfo, ConvertJob, HandlerTable } from '../shared/api.js';
import { Img2npyError, toErrorInfo } from '../shared/errors.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { PresetStore } from '../core/index.js';
import type { Engine } from './engine.js';
import {
  absolutePath, convertJob, jobIdArg, jsonText, optionsArg, presetArg, presetName, previewCount, sampleSeedArg, suggestion,
} from './ipc-args.js';
import { createProgressThrottle } from './progress-throttle.js';
import { type ExistingOutput, existingOutput } from './destination.js';
import { JobRegistry } from './job-registry.js';
import { PathGrants } from './path-grants.js';
import { archivePicked } from './archive-pick.js';

export interface Dialogs {
  chooseFolder(): Promise<string | null>;
  /** A .zip/.tar/.tar.gz/.tgz input (archive-pick.ts): its own file dialog. */
  chooseArchive(): Promise<string | null>;
  chooseOutput(suggested: string): Promise<string | null>;
  chooseArrayFile(): Promise<string | null>;
  chooseLabels(): Promise<string | null>;
  /** Asks, in a main-process dialog, whether to replace what is at the output; true to go on. */
  confirmReplace(existing: ExistingOutput): Promise<boolean>;
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
  /** The paths chosen in this session; main shares it with whatever registers dropped files. */
  grants?: PathGrants;
  /** A default output for a chosen input (default-output.ts). */
  defaultOutput(input: string): Promise<string>;
  /**
   * What overwriting would replace for this job, or null when nothing is there. Main wires it to
   * the engine's destination rules (never the input, only a previous img2npy output), which
   * throw for anything refusable, so the user is never offered to replace it. Defaults to
   * `existingOutput(job.output)`.
   */
  destination?: (job: ConvertJob) => Promise<ExistingOutput | null>;
  /** The jobs in flight; main shares it with the quit guard. */
  jobs?: JobRegistry;
}

/** A dialog's answer becomes a grant: the user chose it, here, now. */
function grantOf(grants: PathGrants) {
  return (path: string | null, kind: 'input' | 'output' | 'array' | 'labels') => (path === null ? null : (grants.grant(path, kind), path));
}

export function createHandlers(deps: HandlerDeps): HandlerTable {
  const { engine, presets, dialogs } = deps;
  const grants = deps.grants ?? new PathGrants();
  const describe = deps.destination ?? ((job: ConvertJob) => existingOutput(job.output));
  const granted = grantOf(grants);
  // Jobs in flight, owned by this table: cancel finds them here.
  const jobs = deps.jobs ?? new JobRegistry();

  const chosenInput = (input: unknown, options: unknown) => {
    const checked = { input: grants.require(absolutePath(input, 'input', 'input-not-found'), 'input'), options: optionsArg(options) };
    grants.requireOptionPaths(checked.options);
    return checked;
  };

  /** Replacing needs the engine's consent and then the user's, asked by main itself. */
  const confirmOverwrite = async (job: ConvertJob, signal: AbortSignal) => {
    const existing = await describe(job);
    if (!existing) return;
    const confirmed = await dialogs.confirmReplace(existing);
    if (!confirmed) throw new Img2npyError('cancelled', `Nothing was replaced: you chose to keep ${job.output}`, { file: job.output });
    if (signal.aborted) throw new Img2npyError('cancelled', 'Cancelled');
  };

  const runJob = async (job: ConvertJob, signal: AbortSignal) => {
    const progress = createProgressThrottle(deps.sendProgress);
    try {
      if (job.overwrite) await confirmOverwrite(job, signal);
      const report = await engine.convert(job, { signal, onProgress: (e) => progress.push(e) });
      progress.flush();
      for (const output of report.outputs) grants.grant(output.path, 'written', 'output');
      if (report.manifest) grants.grant(report.manifest, 'written');
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
    }
  };

  return {
    'app:info': async () => ({ ...deps.app, presetsDir: presets.dir }),

    'scan:run': async (rawInput, rawOptions) => {
      const { input, options } = chosenInput(rawInput, rawOptions);
      return engine.scanSummary(input, options);
    },

    'scan:probe': async (rawInput, rawOptions) => {
      const { input, options } = chosenInput(rawInput, rawOptions);
      return engine.dryRun(input, options);
    },

    'preview:run': async (rawInput, rawOptions, count, seed) => {
      const { input, options } = chosenInput(rawInput, rawOptions);
      const sampleSeed = seed === undefined ? undefined : sampleSeedArg(seed);
      return engine.preview(input, options, previewCount(count), sampleSeed === undefined ? undefined : { sampleSeed });
    },

    'convert:start': async (raw) => {
      const job = convertJob(raw);
      chosenInput(job.input, job.options);
      grants.require(job.output, 'output');
      if (jobs.has(job.jobId)) throw new Img2npyError('invalid-option', `Expected a new jobId but job ${job.jobId} is already running`, { option: 'jobId' });
      const controller = new AbortController();
      return jobs.track(job.jobId, controller, runJob(job, controller.signal));
    },

    'convert:cancel': async (jobId) => jobs.cancel(jobIdArg(jobId)),

    'inspect:run': async (path) => engine.inspect(grants.require(absolutePath(path, 'path', 'not-an-array-file'), 'array')),

    'presets:list': async () => presets.list(),
    'presets:save': async (preset) => presets.save(presetArg(preset)),
    'presets:delete': async (name) => presets.delete(presetName(name)),
    'presets:rename': async (from, to) => presets.rename(presetName(from), presetName(to)),
    'presets:import': async (json) => presets.import(jsonText(json)),
    'presets:export': async (name) => presets.export(presetName(name)),

    'dialog:choose-folder': async () => granted(await dialogs.chooseFolder(), 'input'),
    'dialog:choose-archive': async () => granted(archivePicked(await dialogs.chooseArchive()), 'input'),
    'dialog:choose-output': async (suggested) => granted(await dialogs.chooseOutput(suggestion(suggested)), 'output'),
    'dialog:choose-array-file': async () => granted(await dialogs.chooseArrayFile(), 'array'),
    'dialog:choose-labels': async () => granted(await dialogs.chooseLabels(), 'labels'),

    'output:suggest': async (rawInput) => {
      const input = grants.require(absolutePath(rawInput, 'input', 'input-not-found'), 'input');
      const output = await deps.defaultOutput(input);
      grants.grant(output, 'output');
      return output;
    },

    'shell:show-in-folder': async (rawPath) => {
      const path = absolutePath(rawPath, 'path');
      if (!grants.isKnown(path)) throw new Img2npyError('path-not-chosen', `${path} was not chosen or written in this window, so it is not shown`, { file: path });
      deps.shell.showItemInFolder(path);
      return true;
    },

    'paths:dropped': async (path) => grants.grantDropped(absolutePath(path, 'path')),
  };
}
