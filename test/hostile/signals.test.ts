/**
 * Real processes, real signals. bin/img2npy.js applies glibc's malloc settings in its own process
 * where it can (koffi), so a conversion is one process: killing it leaves nothing that could
 * publish later. Where it cannot, it re-runs itself with them (forced here with
 * IMG2NPY_MALLOC_IN_PROCESS=0), and killing that launcher (SIGKILL) must not leave the worker to
 * publish. SIGHUP is a request to stop like SIGTERM; a run killed outright leaves a temporary
 * folder that the next run into the same folder removes, and only that one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { binPath, cli, makeSolidFolder } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

interface Run {
  pid: number;
  /** Resolves at the first decode progress event (the temporary folder exists by then). */
  decoding: Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
}

function start(argv: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [binPath, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let onDecoding!: () => void;
  const decoding = new Promise<void>((resolve) => (onDecoding = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('"phase":"decode"')) onDecoding();
  });
  child.stderr.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { pid: child.pid!, decoding, exit };
}

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** Gone or a zombie: either way it will never publish. */
async function isRunning(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return text !== null && text.slice(text.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** State letter from /proc: 'T' once a process has stopped itself (IMG2NPY_STOP_BEFORE_PUBLISH). */
async function stateOf(pid: number): Promise<string | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return text === null ? null : text.slice(text.lastIndexOf(')') + 2)[0];
}

async function untilStopped(pid: number): Promise<void> {
  // Polls the process table; the test's own timeout bounds it.
  while ((await stateOf(pid)) !== 'T') await new Promise((r) => setTimeout(r, 50));
}

async function untilGone(pid: number): Promise<void> {
  // Polls the process table; the test's own timeout bounds it.
  while (await isRunning(pid)) await new Promise((r) => setTimeout(r, 100));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function dataset(t: import('node:test').TestContext) {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { a: [1, 2, 3], b: [200, 10, 10], c: [0, 90, 0] }, 12, 64, 48);
  return { dir, input };
}

const temps = async (dir: string) => (await readdir(dir)).filter((n) => n.startsWith('.img2npy-'));

test('SIGKILL of a run tuned in place: one process, so nothing is left to publish later', { timeout: 120_000 }, async (t) => {
  const { dir, input } = await dataset(t);
  const out = join(dir, 'out.npz');
  const run = start(['convert', input, '--out', out, '--size', '32x32', '--json', '--jobs', '1'], { IMG2NPY_STOP_BEFORE_PUBLISH: '1' });
  await run.decoding;
  await untilStopped(run.pid);
  assert.deepEqual(await childrenOf(run.pid), [], 'the run is one process');
  process.kill(run.pid, 'SIGKILL');
  const ended = await run.exit;
  assert.equal(ended.signal, 'SIGKILL');
  assert.equal(await exists(out), false);
  assert.equal(await exists(join(dir, 'out.manifest.json')), false);
});

test('SIGKILL of the launcher: its worker cancels and never publishes', { timeout: 120_000 }, async (t) => {
  const { dir, input } = await dataset(t);
  const out = join(dir, 'out.npz');
  // The worker stops itself with every row written and nothing published: the launcher dies
  // exactly there, whatever the machine's speed. No in-place tuning: the launcher re-runs itself.
  const run = start(['convert', input, '--out', out, '--size', '32x32', '--json', '--jobs', '1'], {
    IMG2NPY_STOP_BEFORE_PUBLISH: '1',
    IMG2NPY_MALLOC_IN_PROCESS: '0',
  });
  await run.decoding;
  const workers = await childrenOf(run.pid);
  assert.equal(workers.length, 1, 'the launcher runs one worker');
  await untilStopped(workers[0]);
  process.kill(run.pid, 'SIGKILL');
  await untilGone(run.pid);
  process.kill(workers[0], 'SIGCONT');
  const ended = await run.exit; // closes once the worker, which shares its output pipes, is gone
  assert.equal(ended.signal, 'SIGKILL');
  await untilGone(workers[0]);
  assert.equal(await exists(out), false, 'an orphan published the output');
  assert.equal(await exists(join(dir, 'out.manifest.json')), false);
  assert.deepEqual(await temps(dir), [], 'the worker removed its temporary folder');
});

test('SIGHUP behaves as SIGTERM: cancelled, exit 130, nothing left', { timeout: 120_000 }, async (t) => {
  const { dir, input } = await dataset(t);
  const out = join(dir, 'out.npz');
  const run = start(['convert', input, '--out', out, '--size', '32x32', '--json', '--jobs', '1']);
  await run.decoding;
  process.kill(run.pid, 'SIGHUP');
  const ended = await run.exit;
  assert.equal(ended.code, 130, ended.stdout.slice(-500));
  assert.equal(await exists(out), false);
  assert.deepEqual(await temps(dir), []);
});

test('the temporary folder of a killed run is removed by the next run with a notice; others are left alone', { timeout: 120_000 }, async (t) => {
  const { dir, input } = await dataset(t);
  // One process, killed outright mid-decode: it cannot clean up.
  const run = start(['convert', input, '--out', join(dir, 'first.npz'), '--size', '32x32', '--json', '--jobs', '1'], { IMG2NPY_MALLOC_TUNED: '1' });
  await run.decoding;
  process.kill(run.pid, 'SIGKILL');
  await run.exit;
  const [dead] = await temps(dir);
  assert.ok(dead, 'the killed run left its temporary folder');
  // Same name pattern, but no owner record (another tool's or being created): not ours to judge.
  const foreign = join(dir, '.img2npy-foreign.tmp');
  await mkdir(foreign);
  await writeFile(join(foreign, 'data.bin'), 'keep');
  // Owned by a live process (this test runner): still in use.
  const live = join(dir, '.img2npy-live.tmp');
  await mkdir(live);
  const started = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1].split(' ')[19];
  await writeFile(join(live, 'owner.json'), JSON.stringify({ tool: 'img2npy', pid: process.pid, started, host: hostname() }));

  const next = await cli(['convert', input, '--out', join(dir, 'second.npz'), '--size', '8x8']);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, new RegExp(`Removed .*${dead.replace(/[.]/g, '\\.')}.*killed before it could clean up`));
  assert.deepEqual((await temps(dir)).sort(), ['.img2npy-foreign.tmp', '.img2npy-live.tmp']);
  assert.equal(await readFile(join(foreign, 'data.bin'), 'utf8'), 'keep');
});
