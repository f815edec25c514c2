/**
 * What every command receives. Its own module so that `run.ts` can load the command files and
 * the command files can name their context without importing `run.ts` back.
 */
import type { ParsedArgs } from './args.js';
import type { Reporter, Stream } from './reporter.js';

export interface CliIo {
  argv: string[];
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
}

export interface CommandContext {
  args: ParsedArgs;
  io: CliIo;
  reporter: Reporter;
}
