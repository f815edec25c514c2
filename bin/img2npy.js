#!/usr/bin/env node
// Thin shim: the CLI is compiled to out/node by `npm run build` (fast start, no TypeScript loader).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const entry = new URL('../out/node/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('img2npy: not built yet; run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n');
  process.exit(2);
}

const { mallocEnv, needsMallocTuning } = await import(new URL('../out/node/core/index.js', import.meta.url).href);
if (needsMallocTuning(process.argv.slice(2), process.env, process.platform)) {
  // glibc reads its malloc settings only at start, so the heavy commands run in a child started
  // with them (src/core/decode/malloc-env.ts). The child gets its own process group, so a terminal's Ctrl-C
  // reaches it exactly once: through us. The IPC channel carries no messages: it closes when we
  // die however we die (SIGKILL included), and the child then cancels (src/cli/main.ts), so an
  // orphan never publishes after its caller saw us end.
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: mallocEnv(process.env),
    detached: true,
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
} else {
  const { main } = await import(entry.href);
  await main();
}
