/** Runs the CLI in-process (injected argv and streams) or as the real `bin/img2npy.js` process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../src/cli/run.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = join(repoRoot, 'bin', 'img2npy.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, signal?: AbortSignal): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run({
    argv,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...process.env, ...env },
    signal,
  });
  return { code, stdout, stderr };
}

/** Spawns the built CLI; `onLine` sees stdout lines as they arrive (for --json progress). */
export function cliProcess(argv: string[], env: NodeJS.ProcessEnv = {}, onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine?.(line, (sig) => child.kill(sig));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

/** Solid-colour PNGs: `classes` maps class name → [r, g, b]; `perClass` images of `w`×`h`. */
export async function makeSolidFolder(root: string, classes: Record<string, [number, number, number]>, perClass: number, w = 20, h = 10): Promise<void> {
  for (const [name, rgb] of Object.entries(classes)) {
    await mkdir(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
        .png()
        .toFile(join(root, name, `img-${String(i).padStart(3, '0')}.png`));
    }
  }
}
