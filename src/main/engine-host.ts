/** The engine process as an `EngineHost`: Electron's utilityProcess, nothing else. */
import { utilityProcess } from 'electron';
import { engineEnv } from './engine-env.js';
import type { EngineHost } from './engine-client.js';

export function forkEngineProcess(modulePath: string): EngineHost {
  const child = utilityProcess.fork(modulePath, [], {
    serviceName: 'img2npy engine',
    stdio: 'inherit',
    env: engineEnv(process.env, process.resourcesPath),
  });
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.once('exit', listener),
    kill: () => void child.kill(),
  };
}
