/** `img2npy convert <folder> --out <path>`: layers preset < config file < flags, then runs the engine. */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Img2npyError } from '../shared/errors.js';
import type { ConvertOptions } from '../shared/options.js';
import { PresetStore, convert, defaultPresetsDir, parsePreset } from '../core/index.js';
import type { CommandContext } from './context.js';

export async function optionLayers(ctx: CommandContext): Promise<Partial<ConvertOptions>> {
  const { shell, options } = ctx.args;
  const layers: Partial<ConvertOptions>[] = [];
  if (shell.preset) layers.push((await new PresetStore(defaultPresetsDir(ctx.io.env)).get(shell.preset)).options);
  if (shell.config) {
    const text = await readFile(shell.config, 'utf8').catch((err: Error) => {
      throw new Img2npyError('preset-invalid', `Cannot read config file ${shell.config}: ${err.message}`, { file: shell.config });
    });
    layers.push(parsePreset(text, shell.config, 'config').options);
  }
  layers.push(options);
  return Object.assign({}, ...layers);
}

export async function convertCommand(ctx: CommandContext): Promise<number> {
  const { args, io, reporter } = ctx;
  const [input, ...extra] = args.positionals;
  if (!input) throw new Img2npyError('invalid-option', 'Expected an input folder: img2npy convert <folder> --out <file.npz>', { option: 'input' });
  if (extra.length) throw new Img2npyError('invalid-option', `Unexpected argument "${extra[0]}"; give one input folder`, { option: 'input' });
  if (!args.shell.out) throw new Img2npyError('invalid-option', 'Expected --out <file.npz | folder> for convert', { option: 'out' });
  const options = await optionLayers(ctx);
  const report = await convert(
    { jobId: randomUUID(), input, output: args.shell.out, options, overwrite: args.shell.overwrite },
    { signal: io.signal, onProgress: (e) => reporter.progress(e), onNotice: (m) => reporter.notice(m), beforePublish: stopBeforePublish(io.env) },
  );
  reporter.report(report);
  return 0;
}

/**
 * IMG2NPY_STOP_BEFORE_PUBLISH=1 makes a run stop itself (SIGSTOP) with every row written and
 * nothing published yet, until someone sends SIGCONT: how tests put real processes at that exact
 * step (see test/hostile/). What happened meanwhile (a cancel, the launcher's death) is seen
 * before publishing starts.
 */
function stopBeforePublish(env: NodeJS.ProcessEnv): (() => Promise<void>) | undefined {
  if (env.IMG2NPY_STOP_BEFORE_PUBLISH !== '1' || process.platform === 'win32') return undefined;
  return async () => {
    process.kill(process.pid, 'SIGSTOP');
    // Two turns: the second is only reached after a poll phase, which reads a closed IPC channel.
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  };
}
