/**
 * Entry of the engine's utility process: the core engine (sharp, TensorFlow.js) runs here, away
 * from Electron's main process and the UI. Core is imported lazily so the port answers `ready`
 * first.
 */
import { serveEngine } from './engine-protocol.js';

const port = process.parentPort;
serveEngine(
  {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', (event) => listener(event.data)),
  },
  () => import('../core/index.js'),
);
