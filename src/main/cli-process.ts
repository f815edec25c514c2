/**
 * Entry of the utility process behind `--headless`: runs the command line exactly as
 * `bin/img2npy.js` does (the CLI loads sharp, which stays out of Electron's main process) and
 * exits with its code. Main sends the CLI arguments as the first message.
 */
const port = process.parentPort;

port.once('message', (event) => {
  const argv = (event.data as { argv: string[] }).argv;
  void (async () => {
    try {
      const { run } = await import('../cli/run.js');
      process.exit(await run({ argv, stdout: process.stdout, stderr: process.stderr, env: process.env }));
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    }
  })();
});
