/**
 * The engine process of the e2e bridge: the same `serveEngine` as the app's utility process
 * (src/main/engine-process.ts), over Node's child-process channel instead of Electron's port.
 */
import type { ToEngine } from '../../src/main/engine-protocol.js';
import { serveEngine } from '../../src/main/engine-protocol.js';

serveEngine(
  {
    post: (message) => void process.send?.(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as ToEngine)),
  },
  () => import('../../src/core/index.js'),
);
process.on('disconnect', () => process.exit(0));
