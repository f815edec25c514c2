/**
 * Runs one command the same way for every tool: under GNU time -v for peak RSS, with wall time
 * taken here around the whole process (interpreter start and imports included, as a user waits
 * for them too).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  wallS: number;
  /** Peak resident set of the largest single process: GNU time reports RUSAGE_CHILDREN's maximum. */
  maxRssMb: number;
  /** User + system CPU seconds of the process and all its children. */
  cpuS: number;
  /**
   * Share of the machine's cores kept busy by other processes during the run (0 = quiet). Other
   * work on a shared machine slows every tool; this shows when the figures were disturbed.
   */
  foreignLoad: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export const gnuTime = '/usr/bin/time';

/** Busy CPU seconds of the whole machine so far, from /proc/stat (USER_HZ is 100 on Linux). */
async function machineBusyS(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8');
  const [user, nice, system, , , irq, softirq, steal] = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** Runs `command args` under `/usr/bin/time -v` and returns its wall time and peak RSS. */
export async function timedRun(command: string, args: string[], cwd: string): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'img2npy-bench-'));
  const timeFile = join(dir, 'time.txt');
  try {
    const busyBefore = await machineBusyS();
    const start = process.hrtime.bigint();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(gnuTime, ['-v', '-o', timeFile, command, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    });
    const wallS = Number(process.hrtime.bigint() - start) / 1e9;
    const busyS = (await machineBusyS()) - busyBefore;
    const report = await readFile(timeFile, 'utf8').catch(() => '');
    const field = (name: string): number => Number(new RegExp(`${name}: ([\\d.]+)`).exec(report)?.[1] ?? NaN);
    const cpuS = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
    const foreignLoad = Math.max(0, (busyS - cpuS) / (wallS * availableParallelism()));
    return { wallS, maxRssMb: field('Maximum resident set size \\(kbytes\\)') / 1024, cpuS, foreignLoad, code, stdout, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Seconds from spawning the command until the first complete line arrives on stdout; the process
 * is then interrupted (SIGINT, as Ctrl-C would) because the rest of the run is not being measured.
 */
export async function firstLineLatency(command: string, args: string[], cwd: string): Promise<{ seconds: number; line: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let result: { seconds: number; line: string } | null = null;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      if (result) return;
      buffered += b.toString();
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      result = { seconds: Number(process.hrtime.bigint() - start) / 1e9, line: buffered.slice(0, nl) };
      child.kill('SIGINT');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (result) resolve(result);
      else reject(new Error(`no output line before exit ${code}: ${stderr.trim().slice(-300)}`));
    });
  });
}

/** Wall seconds of a short command, run to completion without GNU time in between. */
export async function wallOnly(command: string, args: string[], cwd: string): Promise<number> {
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}
