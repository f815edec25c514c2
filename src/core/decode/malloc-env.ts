/**
 * Decoders free and reallocate large buffers on many threads. With glibc's defaults (up to 8
 * arenas per core, and a mmap threshold that climbs after the first large free) those buffers
 * end up in fragmented arenas and RSS grows with the number of photos: measured 450 MB after 213
 * wallpaper JPEGs at 224x224 through libvips, against 250 MB with few arenas and a fixed mmap
 * threshold. glibc reads these only at process start, so shells apply them to the process that
 * will decode (the CLI re-runs itself; the app starts its engine process with them).
 *
 * The threshold is 4 MiB, not the 128 KiB it was: since JPEGs decode through TurboJPEG, the hot
 * allocations are rows and DCT-scaled decodes of a few hundred KiB, and at 128 KiB each one was a
 * fresh mmap whose pages fault on first touch. Measured on 600 typical JPEGs -> 224x224 (2 cores):
 * 2.8 s -> 1.9 s, peak RSS 192 -> 217 MB; 20 MP photos unchanged (their buffers are far above
 * either threshold). Leaving it unset (dynamic) was faster still on photos but peaked 20-25 %
 * higher.
 */
import { availableParallelism } from 'node:os';

export const tunedMarker = 'IMG2NPY_MALLOC_TUNED';

/** Commands that decode images; --help, presets and the like start directly. */
const heavyCommands = new Set(['convert', 'inspect']);

export function needsMallocTuning(argv: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (platform !== 'linux' || env[tunedMarker]) return false;
  if (argv.includes('--help') || argv.includes('-h')) return false;
  return heavyCommands.has(argv.find((a) => !a.startsWith('-')) ?? '');
}

/**
 * The environment for a decoding process; the user's own settings win over ours.
 * UV_THREADPOOL_SIZE: every decoder thread's sharp calls and async file reads share libuv's one
 * pool of 4 threads per process, which would cap sharp-decoded formats at 4 images in flight on
 * a 16-core machine. libuv reads it once, at first use, so it too must be set before start.
 */
export function mallocEnv(env: NodeJS.ProcessEnv, cores = availableParallelism()): NodeJS.ProcessEnv {
  return { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024), UV_THREADPOOL_SIZE: String(Math.max(4, cores)), ...env, [tunedMarker]: '1' };
}
