/**
 * Decoders free and reallocate large buffers on many threads. With glibc's defaults (up to 8
 * arenas per core, and a mmap threshold that climbs after the first large free) those buffers
 * end up in fragmented arenas and RSS grows with the number of photos: measured 450 MB after 213
 * wallpaper JPEGs at 224x224 through libvips, against 250 MB with few arenas and a fixed mmap
 * threshold. glibc reads these only at process start, so shells apply them to the process that
 * will decode (the CLI in place or by re-running itself; the app starts its engine process with them).
 *
 * No fixed mmap threshold any more (it was 128 KiB): since JPEGs decode through TurboJPEG, with
 * a fixed threshold every row, DCT-scaled decode and progressive coefficient buffer above it was
 * a fresh mmap whose pages fault on first touch, and freed straight back. glibc's own (dynamic)
 * threshold keeps reusing them. Measured on this 2-core VM, where a first touch costs ~50 µs per
 * 4 KiB page (128 KiB -> dynamic): 600 typical JPEGs 2.8 -> 1.7 s; 76 photos 5.0 -> 3.3 s;
 * Keras mode on them 8.6 -> 5.0 s; peak RSS +10-25 % (photos 344 -> 364-425 MB). A 4 MiB
 * threshold helped only the typical JPEGs. Few arenas stay: they are what bounds fragmentation.
 *
 * Restarting costs a second Node start (~0.2 s of every run on that VM), so bin/img2npy.js
 * applies them in place first (`tunedInProcess`): glibc takes the arena cap through mallopt too,
 * and fixes it only once a ninth arena is wanted; a Node process has two arenas when its first
 * script runs, so a cap set then holds as the variable does (measured: 2 arenas after six busy
 * threads, against 12 untuned). Set after the first ES module import, it would hold at the 6 that
 * the loader's file reads on libuv's threads had made by then.
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

/**
 * Whether this process already runs with the settings of `mallocEnv`, applied in place by
 * bin/img2npy.js before its first import (libuv sizes its pool on the first use, which loading an
 * ES module is; glibc fixes its arena cap once a ninth arena is wanted). The launcher records what
 * it applied in `env`; `launchEnv` is the environment the process started with. False (and the
 * launcher then restarts with `mallocEnv`) where it could not: no koffi, no glibc,
 * IMG2NPY_MALLOC_IN_PROCESS=0, or values that differ from the rule above.
 * @example if (needsMallocTuning(argv, launchEnv, platform) && !tunedInProcess(launchEnv)) restartWith(mallocEnv(launchEnv));
 */
export function tunedInProcess(launchEnv: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv = process.env): boolean {
  const want = mallocEnv(launchEnv);
  return env.UV_THREADPOOL_SIZE === want.UV_THREADPOOL_SIZE && env.MALLOC_ARENA_MAX === want.MALLOC_ARENA_MAX;
}
