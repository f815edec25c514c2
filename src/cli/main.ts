/**
 * Process wiring for the CLI: real argv and streams, and Ctrl-C / SIGTERM turned into an abort
 * so the job removes its temporary files before exiting 130. A second signal exits at once.
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
  const code = await run({ argv, stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
  process.exitCode = code;
}
