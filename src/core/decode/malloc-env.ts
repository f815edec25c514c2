/**
 * Decoders free and reallocate large buffers on many threads. With glibc's defaults (up to 8
 * arenas per core, and a mmap threshold that climbs after the first large free) those buffers
 * end up in fragmented arenas and RSS grows with the number of photos: measured 450 MB after 213
 * wallpaper JPEGs at 224x224 through libvips, against 250 MB with few arenas and a fixed mmap
 * threshold. glibc reads these only at process start, so shells apply them to the process that
 * will decode (the CLI re-runs itself; the app starts its engine process with them).
 *
 * No fixed mmap threshold any more (it was 128 KiB): since JPEGs decode through TurboJPEG, with
 * a fixed threshold every row, DCT-scaled decode and progressive coefficient buffer above it was
 * a fresh mmap whose pages fault on first touch, and freed straight back. glibc's own (dynamic)
 * threshold keeps reusing them. Measured on this 2-core VM, where a first touch costs ~50 µs per
 * 4 KiB page (128 KiB -> dynamic): 600 typical JPEGs 2.8 -> 1.7 s; 76 photos 5.0 -> 3.3 s;
 * Keras mode on them 8.6 -> 5.0 s; peak RSS +10-25 % (photos 344 -> 364-425 MB). A 4 MiB
 * threshold helped only the typical JPEGs. Few arenas stay: they are what bounds fragmentation.
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
  return { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: String(Math.max(4, cores)), ...env, [tunedMarker]: '1' };
}
