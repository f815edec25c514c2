/** The engine process as an `EngineHost`: Electron's utilityProcess, nothing else. */
import { utilityProcess } from 'electron';
import { mallocEnv } from '../core/index.js';
import type { EngineHost } from './engine-client.js';

export function forkEngineProcess(modulePath: string): EngineHost {
  const child = utilityProcess.fork(modulePath, [], {
    serviceName: 'img2npy engine',
    stdio: 'inherit',
    // glibc malloc settings that keep libvips' memory flat; they only work from process start.
    env: process.platform === 'linux' ? mallocEnv(process.env) : process.env,
  });
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.once('exit', listener),
    kill: () => void child.kill(),
  };
}
