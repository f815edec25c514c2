/**
 * The engine's public face. Shells (CLI, Electron utility process, tests) import only this file.
 * Every long call takes `{ signal, onProgress }` and knows nothing of who is calling.
 */
import type { ConvertJob } from '../shared/api.js';
import type { ConvertOptions } from '../shared/options.js';
import type { ProgressEvent } from '../shared/progress.js';
import type { ConvertReport, InspectResult, PreviewResult, ScanSummary } from '../shared/report.js';

export interface RunContext {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

// Signatures are final; bodies are being written (see convert.ts, preview.ts, inspect.ts).
export declare function scanSummary(input: string, options: Partial<ConvertOptions>, ctx?: RunContext): Promise<ScanSummary>;
export declare function preview(input: string, options: Partial<ConvertOptions>, count: number, ctx?: RunContext): Promise<PreviewResult>;
export declare function convert(job: ConvertJob, ctx?: RunContext): Promise<ConvertReport>;
export declare function inspect(path: string, ctx?: RunContext & { samples?: number }): Promise<InspectResult>;
/** Removes temporary files a job left next to `output` (used after a crashed engine process). */
export declare function cleanupJobTemp(output: string, jobId: string): Promise<void>;
export declare const engineVersion: string;
export { PresetStore, defaultPresetsDir } from './presets.js';
