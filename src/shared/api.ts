/**
 * The IPC contract, declared once. Main registers one handler per request; the preload turns
 * each request into a verb on `window.img2npy`; the e2e test bridge routes the same requests to
 * the same handlers. Channel names are `domain:verb`.
 */
import type { ConvertOptions } from './options.js';
import type { ErrorInfo } from './errors.js';
import type { ProgressEvent } from './progress.js';
import type { Preset } from './presets.js';
import type { ConvertReport, DryRunReport, InspectResult, PreviewResult, ScanSummary } from './report.js';

export interface ConvertJob {
  /** Chosen by the caller (crypto.randomUUID()) so it can cancel before the job ends. */
  jobId: string;
  input: string;
  output: string;
  options: Partial<ConvertOptions>;
  overwrite: boolean;
}

export interface AppInfo {
  version: string;
  platform: string;
  presetsDir: string;
  /** True where the window is driven by the test bridge rather than Electron. */
  testBridge: boolean;
}

/** Every request/response pair that crosses IPC: arguments tuple and result. */
export interface Requests {
  'app:info': { args: []; result: AppInfo };
  'scan:run': { args: [input: string, options: Partial<ConvertOptions>]; result: ScanSummary };
  /** `sampleSeed` picks which files of each class are shown (the same seed, the same files). */
  /** Reads every image's header: which files a conversion would skip, known before converting. */
  'scan:probe': { args: [input: string, options: Partial<ConvertOptions>]; result: DryRunReport };
  'preview:run': { args: [input: string, options: Partial<ConvertOptions>, count: number, sampleSeed?: number]; result: PreviewResult };
  'convert:start': { args: [job: ConvertJob]; result: ConvertReport };
  'convert:cancel': { args: [jobId: string]; result: boolean };
  'inspect:run': { args: [path: string]; result: InspectResult };
  'presets:list': { args: []; result: Preset[] };
  'presets:save': { args: [preset: Preset]; result: Preset };
  'presets:delete': { args: [name: string]; result: boolean };
  'presets:rename': { args: [from: string, to: string]; result: Preset };
  'presets:import': { args: [json: string]; result: Preset };
  'presets:export': { args: [name: string]; result: string };
  'dialog:choose-folder': { args: []; result: string | null };
  /** A .zip, .tar, .tar.gz or .tgz to read in place: a file dialog (Linux and Windows cannot mix files and folders in one). */
  'dialog:choose-archive': { args: []; result: string | null };
  'dialog:choose-output': { args: [suggested: string]; result: string | null };
  'dialog:choose-array-file': { args: []; result: string | null };
  'dialog:choose-labels': { args: []; result: string | null };
  'output:suggest': { args: [input: string]; result: string };
  'shell:show-in-folder': { args: [path: string]; result: boolean };
  /** Sent by the preload alone (never a page verb): a file dropped on the window, by its real path. */
  'paths:dropped': { args: [path: string]; result: string };
}
export type Channel = keyof Requests;
export const channels = [
  'app:info', 'scan:run', 'scan:probe', 'preview:run', 'convert:start', 'convert:cancel', 'inspect:run',
  'presets:list', 'presets:save', 'presets:delete', 'presets:rename', 'presets:import', 'presets:export',
  'dialog:choose-folder', 'dialog:choose-archive', 'dialog:choose-output', 'dialog:choose-array-file', 'dialog:choose-labels',
  'output:suggest', 'shell:show-in-folder', 'paths:dropped',
] as const satisfies readonly Channel[];
/** Channels the page's verbs use; `paths:dropped` is the preload's own. */
export const pageChannels = channels.filter((c) => c !== 'paths:dropped');

/** Input files read in place as the folder they unpack to (lower case; the engine, the archive dialog and its check share them). */
export const archiveSuffixes = ['.zip', '.tar', '.tar.gz', '.tgz'] as const;

/** Event pushed from main to the renderer. */
export const progressChannel = 'convert:progress';

/** Results cross IPC as data; errors keep their code, file and stack. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export type Handler<C extends Channel> = (...args: Requests[C]['args']) => Promise<Requests[C]['result']>;
export type HandlerTable = { [C in Channel]: Handler<C> };

type Call<C extends Channel> = (...args: Requests[C]['args']) => Promise<Outcome<Requests[C]['result']>>;

/** What the renderer sees as `window.img2npy`: verbs, never channels. */
export interface Img2npyApi {
  appInfo: Call<'app:info'>;
  scan: Call<'scan:run'>;
  probe: Call<'scan:probe'>;
  preview: Call<'preview:run'>;
  convert: Call<'convert:start'>;
  cancel: Call<'convert:cancel'>;
  inspect: Call<'inspect:run'>;
  presets: {
    list: Call<'presets:list'>;
    save: Call<'presets:save'>;
    delete: Call<'presets:delete'>;
    rename: Call<'presets:rename'>;
    import: Call<'presets:import'>;
    export: Call<'presets:export'>;
  };
  dialogs: {
    chooseFolder: Call<'dialog:choose-folder'>;
    chooseArchive: Call<'dialog:choose-archive'>;
    chooseOutput: Call<'dialog:choose-output'>;
    chooseArrayFile: Call<'dialog:choose-array-file'>;
    chooseLabels: Call<'dialog:choose-labels'>;
  };
  /** A default output for a chosen input folder: beside it when writable, else in Documents. */
  suggestOutput: Call<'output:suggest'>;
  showInFolder: Call<'shell:show-in-folder'>;
  /**
   * Subscribes to progress and returns the unsubscribe function. An AbortSignal cannot cross
   * Electron's contextBridge (it arrives as a plain copy), so the returned function is the
   * reliable way to stop; `signal` is honoured where it survives (the test bridge).
   */
  onProgress(listener: (event: ProgressEvent) => void, options?: { signal?: AbortSignal }): () => void;
  /**
   * Path of a dropped file or folder (webUtils.getPathForFile under Electron), registered with
   * main as chosen by the user; '' for a File that did not come from a drop or a file input.
   */
  pathForFile(file: File): Promise<string>;
}

/** Builds the verb object from one generic `invoke`, so the preload and the test bridge share it. */
export function buildApi(
  invoke: <C extends Channel>(channel: C, args: Requests[C]['args']) => Promise<Outcome<Requests[C]['result']>>,
  extras: Pick<Img2npyApi, 'onProgress' | 'pathForFile'>,
): Img2npyApi {
  const call =
    <C extends Channel>(channel: C): Call<C> =>
    (...args) =>
      invoke(channel, args);
  return {
    appInfo: call('app:info'),
    scan: call('scan:run'),
    probe: call('scan:probe'),
    preview: call('preview:run'),
    convert: call('convert:start'),
    cancel: call('convert:cancel'),
    inspect: call('inspect:run'),
    presets: {
      list: call('presets:list'),
      save: call('presets:save'),
      delete: call('presets:delete'),
      rename: call('presets:rename'),
      import: call('presets:import'),
      export: call('presets:export'),
    },
    dialogs: {
      chooseFolder: call('dialog:choose-folder'),
      chooseArchive: call('dialog:choose-archive'),
      chooseOutput: call('dialog:choose-output'),
      chooseArrayFile: call('dialog:choose-array-file'),
      chooseLabels: call('dialog:choose-labels'),
    },
    suggestOutput: call('output:suggest'),
    showInFolder: call('shell:show-in-folder'),
    ...extras,
  };
}
