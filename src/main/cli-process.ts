/**
 * Entry of the utility process behind `--headless`: runs the command line as `bin/img2npy.js`
 * does (the CLI loads sharp, which stays out of Electron's main process), stops cleanly on
 * Ctrl-C or main's request, and exits with its code once stdout is flushed. Main sends the CLI
 * arguments as the first message and `{ stop: true }` to cancel.
 */
import { serveHeadlessCli } from './headless-supervisor.js';

const port = process.parentPort;
const stopListeners: (() => void)[] = [];

port.on('message', (event) => {
  const data = event.data as { argv?: string[]; stop?: boolean };
  if (data.stop) {
    for (const listener of stopListeners) listener();
    return;
  }
  if (!data.argv) return;
  const argv = data.argv;
  void serveHeadlessCli({
    onStopMessage: (listener) => void stopListeners.push(listener),
    onSignal: (signal, listener) => void process.on(signal, listener),
    run: async (signal) => {
      const { run } = await import('../cli/run.js');
      return run({ argv, stdout: process.stdout, stderr: process.stderr, env: process.env, signal });
    },
    stdout: process.stdout,
    stderr: process.stderr,
    exit: (code) => process.exit(code),
  });
});
