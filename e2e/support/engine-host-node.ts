/** `EngineHost` over a Node child process running engine-child.ts (what utilityProcess is in the app). */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineHost } from '../../src/main/engine-client.js';

const entry = fileURLToPath(new URL('./engine-child.ts', import.meta.url));

export function forkNodeEngine(onSpawn?: (child: ChildProcess) => void): EngineHost {
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    // Structured clone, as Electron's utility process port uses.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  onSpawn?.(child);
  return {
    postMessage: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', listener as (m: unknown) => void),
    onExit: (listener) => child.once('exit', (code) => listener(code)),
    kill: () => void child.kill('SIGKILL'),
  };
}
