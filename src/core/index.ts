/**
 * The engine's public face: the only file shells (CLI, Electron main and engine process, e2e
 * support, bench) import. Every long call takes `{ signal, onProgress }` and knows nothing of
 * who is calling.
 *
 * Importing this file must stay cheap: `img2npy --help`, `presets list` and the app's main
 * process load it, and none of them may pay for sharp or TensorFlow.js (~0.2 s). So the light
 * parts are re-exported as they are, and every call that decodes or converts loads its stage
 * modules on first use.
 */
import { rm } from 'node:fs/promises';
import { tempDirFor } from './job/output-paths.js';
import { discardPrestarted, prestartDecoders } from './job/worker-pool.js';

import type * as Convert from './job/convert.js';
import type * as ScanSummary from './job/scan-summary.js';
import type * as DryRun from './job/dry-run.js';
import type * as Preview from './job/preview.js';
import type * as Inspect from './arrays/inspect.js';
import type * as DecodeImage from './decode/image.js';

export type { RunContext } from './job/convert.js';
export type { DecodePlan, DecodedImage } from './types.js';
export { PresetStore, defaultPresetsDir, parsePreset } from './presets.js';
export { img2npyVersion } from './job/versions.js';
export { mallocEnv, needsMallocTuning, tunedInProcess } from './decode/malloc-env.js';
export { bundledTurboJpegEnv } from './decode/turbojpeg.js';
/**
 * The destination rules every shell applies before a job (the job applies them again at its start
 * and just before publishing): an output may not be the input or contain it; with overwrite,
 * only img2npy's own earlier outputs (listed by their `<name>.manifest.json`) are replaced.
 * Returns what is there and warnings (e.g. the output lies inside the input); throws
 * `output-exists` / `invalid-option` naming the path and what is there. The app calls it when
 * a destination is chosen: `await checkDestination(input, output, { overwrite, options })`.
 */
export { checkDestination, type DestinationEntry, type DestinationState } from './job/destination.js';

/** Converts an image folder into .npz / .npy outputs; see `job/convert.ts`. */
export async function convert(...args: Parameters<typeof Convert.convert>): ReturnType<typeof Convert.convert> {
  // The decoder threads boot while the conversion's modules load, not after (worker-pool.ts).
  prestartDecoders(args[0].options?.jobs);
  try {
    return await (await import('./job/convert.js')).convert(...args);
  } finally {
    await discardPrestarted();
  }
}

/** Counts, formats and the final shape of a folder for given options, without decoding. */
export async function scanSummary(...args: Parameters<typeof ScanSummary.scanSummary>): ReturnType<typeof ScanSummary.scanSummary> {
  return (await import('./job/scan-summary.js')).scanSummary(...args);
}

/** What a conversion would find, skip and write (header probe only, nothing written): `img2npy scan`. */
export async function dryRun(...args: Parameters<typeof DryRun.dryRun>): ReturnType<typeof DryRun.dryRun> {
  return (await import('./job/dry-run.js')).dryRun(...args);
}

/** A few converted samples as the job would write them, for the app's preview grid. */
export async function preview(...args: Parameters<typeof Preview.preview>): ReturnType<typeof Preview.preview> {
  return (await import('./job/preview.js')).preview(...args);
}

/** Shapes, dtypes and sample rows of an existing .npy / .npz / .npy folder. */
export async function inspect(...args: Parameters<typeof Inspect.inspect>): ReturnType<typeof Inspect.inspect> {
  return (await import('./arrays/inspect.js')).inspect(...args);
}

/** Writes a PNG contact sheet of the first rows of an inspected x array. */
export async function writeContactSheet(...args: Parameters<typeof Inspect.writeContactSheet>): ReturnType<typeof Inspect.writeContactSheet> {
  return (await import('./arrays/inspect.js')).writeContactSheet(...args);
}

/** What `writeContactSheet` would refuse (destination, rows too large), checked without reading array data. */
export async function checkContactSheet(...args: Parameters<typeof Inspect.checkContactSheet>): ReturnType<typeof Inspect.checkContactSheet> {
  return (await import('./arrays/inspect.js')).checkContactSheet(...args);
}

/** One image through the decode stage as a job would decode it (the bench's fidelity study uses it). */
export async function decodeImage(...args: Parameters<typeof DecodeImage.decodeImage>): ReturnType<typeof DecodeImage.decodeImage> {
  return (await import('./decode/image.js')).decodeImage(...args);
}

/** Removes temporary files a job left next to `output` (used after a crashed engine process). */
export async function cleanupJobTemp(output: string, jobId: string): Promise<void> {
  await rm(tempDirFor(output, jobId), { recursive: true, force: true });
}
