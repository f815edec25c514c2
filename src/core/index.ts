/**
 * The engine's public face. Shells (CLI, Electron utility process, tests) import only this file.
 * Every long call takes `{ signal, onProgress }` and knows nothing of who is calling.
 */
import { rm } from 'node:fs/promises';
import { tempDirFor } from './output-paths.js';

export { convert, type RunContext } from './convert.js';
export { scanSummary } from './scan-summary.js';
export { preview } from './preview.js';
export { inspect, writeContactSheet } from './inspect.js';
export { PresetStore, defaultPresetsDir, parsePreset } from './presets.js';
export { img2npyVersion } from './versions.js';

/** Removes temporary files a job left next to `output` (used after a crashed engine process). */
export async function cleanupJobTemp(output: string, jobId: string): Promise<void> {
  await rm(tempDirFor(output, jobId), { recursive: true, force: true });
}
