/**
 * The Convert screen's state and the calls that change it. Everything crosses to main through
 * the `Img2npyApi` it is given, as plain data ($state.raw keeps values clone-safe for IPC).
 */
import type { Img2npyApi } from '../../shared/api.js';
import type { ErrorInfo } from '../../shared/errors.js';
import { type ConvertOptions, type OptionKey, type OptionSpec, optionSpecs, specFor } from '../../shared/options.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { ConvertReport, DryRunReport, PreviewResult, ScanSummary } from '../../shared/report.js';
import { combinationIssues, controlText, effectiveOptions, readControl } from './options-form.js';

export const previewCount = 12;
/** Options that change what a scan finds; the others only change the preview. */
const scanKeys = ['like', 'labels', 'classNames', 'followLinks'] as const satisfies readonly OptionKey[];

export type JobStatus = 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

export interface Job {
  jobId: string;
  output: string;
  status: JobStatus;
  progress: ProgressEvent | null;
}

type Drafts = Partial<Record<OptionKey, string>>;
type Issues = Partial<Record<OptionKey, string>>;

export class Session {
  input = $state('');
  scan = $state.raw<ScanSummary | null>(null);
  scanError = $state.raw<ErrorInfo | null>(null);
  scanning = $state(false);
  /** Every image's header, read after the scan: which files a conversion would skip. */
  probe = $state.raw<DryRunReport | null>(null);
  probing = $state(false);

  /** Only the options the user set: unset ones take the default (or Keras's under like=keras). */
  options = $state.raw<Partial<ConvertOptions>>({});
  /** What the text and number fields hold, valid or not. */
  drafts = $state.raw<Drafts>({});
  fieldIssues = $state.raw<Issues>({});
  /** Options the user has acted on: only their issues are shown as errors (none before). */
  touched = $state.raw<Partial<Record<OptionKey, true>>>({});
  effective = $derived(effectiveOptions(this.options));
  comboIssues = $derived(combinationIssues(this.options));
  optionsValid = $derived(Object.keys(this.fieldIssues).length === 0 && Object.keys(this.comboIssues).length === 0);
  invalidSpecs = $derived(optionSpecs.filter((s) => this.fieldIssues[s.key] || this.comboIssues[s.key]));

  preview = $state.raw<PreviewResult | null>(null);
  previewError = $state.raw<ErrorInfo | null>(null);
  previewing = $state(false);
  /** Which files of each class the preview shows: fixed, so tweaking options keeps the same tiles. */
  sampleSeed = $state(1);

  output = $state('');
  overwrite = $state(false);
  job = $state.raw<Job | null>(null);
  report = $state.raw<ConvertReport | null>(null);
  convertError = $state.raw<ErrorInfo | null>(null);
  /** Errors of one-off actions (dialogs, show in folder). */
  notice = $state.raw<ErrorInfo | null>(null);

  canConvert = $derived(
    this.scan !== null && this.optionsValid && this.output.trim() !== '' &&
      (this.job === null || this.job.status !== 'running' && this.job.status !== 'cancelling'),
  );

  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  #scannedKey = '';
  /** The output main suggested for the current input; replaced when the input changes. */
  #suggested = '';

  constructor(readonly api: Img2npyApi) {}

  /** Uses a folder the user chose (dialog or drop): main only acts on such paths. */
  async setInput(path: string): Promise<void> {
    const input = path.trim();
    this.input = input;
    // Choosing the same folder again rescans it (files may have changed).
    this.#scannedKey = '';
    this.scheduleRefresh();
    if (!input || (this.output !== '' && this.output !== this.#suggested)) return;
    const suggested = await this.api.suggestOutput(input);
    // The user may have chosen another folder or an output meanwhile.
    if (!suggested.ok || this.input !== input || (this.output !== '' && this.output !== this.#suggested)) return;
    this.output = this.#suggested = suggested.value;
  }

  async chooseFolder(): Promise<void> {
    const chosen = await this.api.dialogs.chooseFolder();
    if (!chosen.ok) this.notice = chosen.error;
    else if (chosen.value) await this.setInput(chosen.value);
  }

  /** Browse archive…: a .zip/.tar/.tar.gz/.tgz read in place, granted by main like a chosen folder. */
  async chooseArchive(): Promise<void> {
    const chosen = await this.api.dialogs.chooseArchive();
    if (!chosen.ok) this.notice = chosen.error;
    else if (chosen.value) await this.setInput(chosen.value);
  }

  async dropFolder(file: File): Promise<void> {
    const path = await this.api.pathForFile(file);
    if (path) await this.setInput(path);
  }

  async chooseLabels(): Promise<void> {
    const chosen = await this.api.dialogs.chooseLabels();
    if (!chosen.ok) this.notice = chosen.error;
    else if (chosen.value) this.edit(specFor('labels'), chosen.value);
  }

  /** A control changed: keep its text, and set, unset or flag the option. */
  edit(spec: OptionSpec, raw: string | boolean): void {
    this.touched = { ...this.touched, [spec.key]: true };
    if (typeof raw === 'string') this.drafts = { ...this.drafts, [spec.key]: raw };
    const reading = readControl(spec, raw);
    const { [spec.key]: _issue, ...issues } = this.fieldIssues;
    const { [spec.key]: _value, ...options } = this.options;
    if ('issue' in reading) {
      this.fieldIssues = { ...issues, [spec.key]: reading.issue };
      return;
    }
    this.fieldIssues = issues;
    this.options = reading.set ? { ...options, [spec.key]: reading.value } : options;
  }

  /** Back to the default for one option. */
  reset(key: OptionKey): void {
    this.edit(specFor(key), '');
    const { [key]: _draft, ...drafts } = this.drafts;
    this.drafts = drafts;
  }

  /** Replaces all options (a loaded preset). */
  applyOptions(options: Partial<ConvertOptions>): void {
    const drafts: Drafts = {};
    for (const [key, value] of Object.entries(options)) drafts[key as OptionKey] = controlText(specFor(key as OptionKey), value);
    this.drafts = drafts;
    this.fieldIssues = {};
    this.options = { ...options };
    this.touched = Object.fromEntries(Object.keys(options).map((k) => [k, true]));
  }

  /** Keras mode: one click sets like=keras (and a second click unsets it). */
  toggleKeras(): void {
    this.touched = { ...this.touched, like: true };
    const { like: _like, ...rest } = this.options;
    this.options = this.options.like === 'keras' ? rest : { ...rest, like: 'keras' };
  }

  scheduleRefresh(delayMs = 250): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), delayMs);
  }

  /** Scans (when the folder or a scan option changed), then previews the current transform. */
  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    const input = this.input;
    const options = this.options;
    // A refresh this one supersedes may have left its flags up.
    this.scanning = this.previewing = false;
    if (!input) {
      this.scan = this.preview = null;
      this.scanError = this.previewError = null;
      this.#scannedKey = '';
      return;
    }
    // What a scan finds depends on these alone; resize 'none' lets it run before a size is chosen.
    const scanOptions: Partial<ConvertOptions> = { resize: 'none' };
    for (const key of scanKeys) if (key in options) Object.assign(scanOptions, { [key]: options[key] });
    const scanKey = JSON.stringify([input, scanOptions]);
    if (scanKey !== this.#scannedKey || !this.scan) {
      this.scanning = true;
      const scanned = await this.api.scan(input, scanOptions);
      if (seq !== this.#seq) return;
      this.scanning = false;
      if (!scanned.ok) {
        this.probe = null;
        this.probing = false;
        this.scan = this.preview = null;
        this.scanError = scanned.error;
        this.#scannedKey = '';
        return;
      }
      this.scan = scanned.value;
      this.scanError = null;
      this.#scannedKey = scanKey;
      void this.#probe(scanKey, input, scanOptions);
    }
    if (!this.optionsValid) {
      this.previewError = null;
      return;
    }
    this.previewing = true;
    const previewed = await this.api.preview(input, options, previewCount, this.sampleSeed);
    if (seq !== this.#seq) return;
    this.previewing = false;
    this.preview = previewed.ok ? previewed.value : null;
    this.previewError = previewed.ok ? null : previewed.error;
  }

  /** Reads the headers in the background; a newer refresh discards the answer. */
  async #probe(key: string, input: string, options: Partial<ConvertOptions>): Promise<void> {
    this.probe = null;
    this.probing = true;
    const probed = await this.api.probe(input, options);
    // Only the answer for the folder and scan options shown now counts.
    if (this.#scannedKey !== key) return;
    this.probing = false;
    // A probe that fails says nothing new: the scan's own error or the conversion will.
    this.probe = probed.ok ? probed.value : null;
  }

  /** Another random sample of files (same transform). */
  reshuffle(): void {
    this.sampleSeed = (this.sampleSeed % 0xfffffffe) + 1;
    this.scheduleRefresh(0);
  }

  async chooseOutput(): Promise<void> {
    const chosen = await this.api.dialogs.chooseOutput(this.output);
    if (!chosen.ok) this.notice = chosen.error;
    else if (chosen.value) this.output = chosen.value;
  }

  async convert(): Promise<void> {
    if (!this.canConvert) return;
    const job: Job = { jobId: crypto.randomUUID(), output: this.output.trim(), status: 'running', progress: null };
    this.job = job;
    this.report = null;
    this.convertError = null;
    const result = await this.api.convert({
      jobId: job.jobId,
      input: this.input,
      output: job.output,
      options: this.options,
      overwrite: this.overwrite,
    });
    if (this.job?.jobId !== job.jobId) return;
    if (result.ok) {
      this.report = result.value;
      this.job = { ...this.job, status: 'done' };
    } else {
      const cancelled = result.error.code === 'cancelled';
      this.convertError = cancelled ? null : result.error;
      this.job = { ...this.job, status: cancelled ? 'cancelled' : 'failed' };
    }
  }

  async cancel(): Promise<void> {
    const job = this.job;
    if (!job || job.status !== 'running') return;
    this.job = { ...job, status: 'cancelling' };
    const result = await this.api.cancel(job.jobId);
    if (!result.ok) this.notice = result.error;
  }

  onProgress(event: ProgressEvent): void {
    if (this.job && event.jobId === this.job.jobId) this.job = { ...this.job, progress: event };
  }

  async showInFolder(path: string): Promise<void> {
    const shown = await this.api.showInFolder(path);
    if (!shown.ok) this.notice = shown.error;
  }
}
