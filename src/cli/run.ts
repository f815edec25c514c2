/**
 * The CLI as a function: `run({ argv, stdout, stderr, env, signal })` resolves to the exit code.
 * `bin/img2npy.js` and the Electron `--headless` mode are thin shims over it; tests inject argv
 * and streams. Heavy modules (sharp, tfjs) load only in the commands that need them.
 */
import { type ErrorInfo, Img2npyError, toErrorInfo, usageErrorCodes } from '../shared/errors.js';
import { parseArgs } from './args.js';
import type { CliIo, CommandContext } from './context.js';
import { convertHelp, inspectHelp, presetsHelp, scanHelp, topHelp } from './help.js';
import { type Reporter, humanReporter, jsonReporter } from './reporter.js';
import { cliWords } from './flag-words.js';

export type { CliIo, CommandContext } from './context.js';

export function exitCodeFor(info: ErrorInfo): number {
  if (info.code === 'cancelled') return 130;
  return usageErrorCodes.includes(info.code) ? 2 : 1;
}

export async function run(io: CliIo): Promise<number> {
  const wantsJson = io.argv.includes('--json');
  let reporter: Reporter = wantsJson ? jsonReporter(io.stdout) : humanReporter(io.stdout, io.stderr, true);
  try {
    const args = parseArgs(io.argv);
    reporter = args.shell.json ? jsonReporter(io.stdout) : humanReporter(io.stdout, io.stderr, args.shell.quiet);
    const ctx: CommandContext = { args, io, reporter };
    if (args.shell.version && !args.command) {
      const { img2npyVersion } = await import('../core/index.js'); // not at module load: --help needs none of core
      io.stdout.write(`${await img2npyVersion()}\n`);
      return 0;
    }
    switch (args.command) {
      case null:
        io.stdout.write(topHelp);
        return args.shell.help ? 0 : 2;
      case 'help':
        io.stdout.write(topHelp);
        return 0;
      case 'convert':
        if (args.shell.help) return print(io, convertHelp());
        return await (await import('./convert-command.js')).convertCommand(ctx);
      case 'inspect':
        if (args.shell.help) return print(io, inspectHelp);
        return await (await import('./inspect-command.js')).inspectCommand(ctx);
      case 'scan':
        if (args.shell.help) return print(io, scanHelp());
        return await (await import('./scan-command.js')).scanCommand(ctx);
      case 'presets':
        if (args.shell.help) return print(io, presetsHelp);
        return await (await import('./presets-command.js')).presetsCommand(ctx);
      default:
        throw new Img2npyError('invalid-option', `Unknown command "${args.command}"; commands: convert, scan, inspect, presets`);
    }
  } catch (err) {
    const info = toErrorInfo(err);
    if (info.code !== 'internal') info.message = cliWords(info.message);
    // Known errors print cleanly; unknown ones keep their stack for the bug report.
    reporter.error(info, info.code === 'internal');
    return exitCodeFor(info);
  }
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return 0;
}
