/**
 * Start-up latency of the CLI, by phase, as a user sees it: from spawning `node bin/img2npy.js`
 * to the first NDJSON progress line, to the first decoded image (the first 'decode' event with
 * done > 0; events are throttled to 20/s, so it is late by at most 50 ms), and `--help`.
 * Every Node process and thread the run starts reports when its JavaScript began (a preload
 * given through NODE_OPTIONS), which separates the launcher, any re-executed child and the
 * decoder threads. Variants are interleaved so a busy neighbour hurts them alike.
 *
 *   node --import tsx bench/startup.ts [--reps 5] [--env NAME=VALUE ...] [--ab NAME=VALUE | '--flag value' | /other/checkout]
 *
 * --ab runs every variant twice per repetition, as it is and with that environment variable or
 * those extra flags (e.g. --ab IMG2NPY_MALLOC_IN_PROCESS=0 for the re-executing launcher,
 * --ab '--backend wasm' to load TensorFlow.js where the job needs none, or --ab /tmp/base for a
 * built checkout of another commit whose bench/data is this one's).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spread } from './measure.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

export interface StartupTimes {
  /** ms from spawn to the JavaScript start of each process, in start order (launcher first). */
  processes: number[];
  /** ms from spawn to the JavaScript start of each decoder thread. */
  threads: number[];
  firstLine: number;
  firstDecoded: number | null;
}

/**
 * Written to a temporary file and preloaded into every process and thread of the run: one stderr
 * line with the wall clock at which its JavaScript began (Node's own start-up before it is the
 * part no code of ours can shorten, so it is what separates the phases).
 */
const probe = `
import { isMainThread } from 'node:worker_threads';
process.stderr.write('@startup ' + (isMainThread ? 'process' : 'thread') + ' ' + (performance.timeOrigin + performance.now()).toFixed(1) + '\\n');
`;

/** One run: spawn, watch stdout and stderr, interrupt (as Ctrl-C) once an image is decoded. */
export function measureStartup(args: string[], env: NodeJS.ProcessEnv, probeFile: string, cwd = repo): Promise<StartupTimes> {
  return new Promise((resolve, reject) => {
    const t0 = performance.timeOrigin + performance.now();
    const ms = () => performance.timeOrigin + performance.now() - t0;
    const child = spawn(process.execPath, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import ${probeFile}`.trim() },
    });
    const times: StartupTimes = { processes: [], threads: [], firstLine: NaN, firstDecoded: null };
    let out = '';
    let err = '';
    let stderrTail = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (Number.isNaN(times.firstLine)) times.firstLine = ms();
        const event = JSON.parse(line) as { type: string; phase?: string; done?: number };
        if (times.firstDecoded === null && event.type === 'progress' && event.phase === 'decode' && (event.done ?? 0) > 0) {
          times.firstDecoded = ms();
          child.kill('SIGINT');
        }
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      for (let nl = err.indexOf('\n'); nl >= 0; nl = err.indexOf('\n')) {
        const line = err.slice(0, nl);
        err = err.slice(nl + 1);
        const m = /^@startup (process|thread) ([\d.]+)$/.exec(line);
        if (m) (m[1] === 'process' ? times.processes : times.threads).push(Number(m[2]) - t0);
        else stderrTail = (stderrTail + line + '\n').slice(-600);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (Number.isNaN(times.firstLine)) reject(new Error(`no output line before exit ${code}: ${stderrTail}`));
      else resolve(times);
    });
  });
}

/** Wall ms of `--help`, run to completion. */
function helpMs(env: NodeJS.ProcessEnv, cwd = repo): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/img2npy.js', '--help'], { cwd, stdio: 'ignore', env });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`--help exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const reps = Number(argv[argv.indexOf('--reps') + 1] || 5) || 5;
  const env = { ...process.env };
  argv.forEach((a, i) => {
    if (a === '--env') {
      const [name, ...value] = argv[i + 1].split('=');
      env[name] = value.join('=');
    }
  });
  const dir = await mkdtemp(join(tmpdir(), 'img2npy-startup-'));
  const probeFile = join(dir, 'probe.mjs');
  await writeFile(probeFile, probe);
  const ab = argv.includes('--ab') ? argv[argv.indexOf('--ab') + 1] : null;
  const base: Record<string, string[]> = {
    'png32-5000 --size 32x32 (uint8 pass-through)': ['bench/data/png32-5000', '--size', '32x32', '--out', join(dir, 'a.npz')],
    'typical-2000 --size 224x224': ['bench/data/typical-2000', '--size', '224x224', '--out', join(dir, 'b.npz')],
  };
  const variants: { name: string; args: string[]; env: NodeJS.ProcessEnv; cwd?: string }[] = [];
  for (const [name, args] of Object.entries(base)) {
    variants.push({ name, args, env });
    if (ab?.startsWith('/')) variants.push({ name: `${name} in ${ab}`, args, env, cwd: ab });
    if (ab?.startsWith('--')) variants.push({ name: `${name} ${ab}`, args: [...args, ...ab.split(' ')], env });
    else if (ab && !ab.startsWith('/')) variants.push({ name: `${name} with ${ab}`, args, env: { ...env, [ab.split('=')[0]]: ab.split('=').slice(1).join('=') } });
  }
  const runs = new Map<string, StartupTimes[]>(variants.map((v) => [v.name, []]));
  const help: number[] = [];
  const helpAb: number[] = [];
  try {
    for (let r = 0; r < reps; r++) {
      for (const { name, args, env: runEnv, cwd } of variants) {
        runs.get(name)!.push(await measureStartup(['bin/img2npy.js', 'convert', ...args, '--overwrite', '--json'], runEnv, probeFile, cwd));
      }
      help.push(await helpMs(env));
      if (ab?.startsWith('/')) helpAb.push(await helpMs(env, ab));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const med = (xs: number[]) => (xs.length ? Math.round(spread(xs).median * 1) : NaN);
  for (const [name, list] of runs) {
    const processes = Math.max(...list.map((t) => t.processes.length));
    const cols = [
      ...Array.from({ length: processes }, (_, i) => [`process ${i + 1} JS start`, med(list.map((t) => t.processes[i]).filter(Number.isFinite))] as const),
      ['first decoder thread JS start', med(list.map((t) => Math.min(...t.threads)).filter(Number.isFinite))] as const,
      ['last decoder thread JS start', med(list.map((t) => Math.max(...t.threads)).filter(Number.isFinite))] as const,
      ['first progress line', med(list.map((t) => t.firstLine))] as const,
      ['first decoded image', med(list.map((t) => t.firstDecoded ?? NaN).filter(Number.isFinite))] as const,
    ];
    console.log(`${name}: medians of ${list.length} runs (ms from spawn)`);
    for (const [label, value] of cols) console.log(`  ${label.padEnd(32)} ${value}`);
  }
  console.log(`--help: median ${med(help)} ms of ${help.length}`);
  if (helpAb.length) console.log(`--help in ${ab}: median ${med(helpAb)} ms of ${helpAb.length}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
