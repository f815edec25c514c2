/**
 * Process wiring for the CLI: real argv and streams, and Ctrl-C / SIGTERM / SIGHUP (and the death
 * of the launching process) turned into an abort so the job removes its temporary files before
 * exiting 130. A second signal exits at once.
 */
import { run } from './run.js';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal is a request to stop like any other: clean up and exit, never half-write.
  process.on('SIGHUP', onSignal);
  if (process.channel) {
    // Started by bin/img2npy.js: its IPC channel closes when it dies (even by SIGKILL). Cancel
    // then, so nothing is published for a caller that already saw the launcher end. Unref'd so
    // the channel alone never keeps this process alive.
    process.channel.unref();
    const parentGone = () => {
      process.stderr.write('img2npy: the launching process ended; cancelling\n');
      controller.abort();
    };
    process.once('disconnect', parentGone);
    if (!process.connected) parentGone();
  }
  const code = await run({ argv, stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
  process.exitCode = code;
}
