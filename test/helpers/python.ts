/** Real NumPy as the referee: tests hand a script to Debian's python3 and read its JSON answer. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const python = '/usr/bin/python3';

/**
 * Runs `code` with /usr/bin/python3; `args` arrive as sys.argv[1:]. The script prints one JSON
 * document on stdout, which is returned parsed.
 */
export async function py<T = unknown>(code: string, args: string[] = []): Promise<T> {
  const { stdout } = await run(python, ['-c', code, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}
