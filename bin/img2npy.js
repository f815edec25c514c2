#!/usr/bin/env node
// Thin shim: the CLI is compiled to out/node by `npm run build` (fast start, no TypeScript loader).
// CommonJS on purpose (bin/package.json): the malloc and thread pool settings are applied before
// the first import() (see applyMallocEnv).
'use strict';
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { availableParallelism, constants } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const out = join(__dirname, '..', 'out', 'node');
if (!existsSync(join(out, 'cli', 'main.js'))) {
  process.stderr.write('img2npy: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const launchEnv = { ...process.env };
// --help and --version decode nothing: they skip koffi and the core's loading (whether a command
// needs the settings is decided by needsMallocTuning; this only saves them the cost).
const quick = argv.some((a) => a === '--help' || a === '-h' || a === '--version');
if (process.platform === 'linux' && !quick) applyMallocEnv();

(async () => {
  if (!quick) {
    const core = await import(pathToFileURL(join(out, 'core', 'index.js')).href);
    if (core.needsMallocTuning(argv, launchEnv, process.platform) && !core.tunedInProcess(launchEnv)) {
      respawn(core.mallocEnv(launchEnv), argv);
      return;
    }
  }
  const { main } = await import(pathToFileURL(join(out, 'cli', 'main.js')).href);
  await main();
})();

/**
 * Gives this process, in place, the values mallocEnv (src/core/decode/malloc-env.ts) would start
 * it with, and records each in process.env once applied; tunedInProcess then checks them against
 * the rule, so a value that drifted here costs a restart, never a wrong setting. Before any
 * import: libuv sizes its pool on first use, and the ES module loader is one; the user's own
 * settings win.
 */
function applyMallocEnv() {
  if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, availableParallelism()));
  if (process.env.MALLOC_ARENA_MAX !== undefined || process.env.IMG2NPY_MALLOC_IN_PROCESS === '0') return;
  try {
    const mallopt = require('koffi').load('libc.so.6').func('int mallopt(int param, int value)');
    const M_ARENA_MAX = -8; // glibc's malloc.h
    if (mallopt(M_ARENA_MAX, 2) === 1) process.env.MALLOC_ARENA_MAX = '2';
  } catch {
    // No koffi or no glibc: the heavy commands then restart with the variables (respawn).
  }
}

/**
 * Where this process cannot be tuned in place, the heavy commands run in a child started with
 * glibc's settings in its environment (src/core/decode/malloc-env.ts). The child gets its own
 * process group, so a terminal's Ctrl-C reaches it exactly once: through us. The IPC channel
 * carries no messages: it closes when we die however we die (SIGKILL included), and the child
 * then cancels (src/cli/main.ts), so an orphan never publishes after its caller saw us end.
 */
function respawn(env, argv) {
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env,
    detached: true,
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
}
