/**
 * bin/img2npy.js applies glibc's arena cap and libuv's pool size in its own process instead of
 * restarting with MALLOC_ARENA_MAX (src/core/decode/malloc-env.ts). Checked from outside on the
 * real binary, stopped with every row written (IMG2NPY_STOP_BEFORE_PUBLISH): glibc places each
 * arena but the first in a 64 MiB-aligned mapping of exactly 64 MiB, which /proc/<pid>/maps shows.
 * Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { binPath, makeSolidFolder } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const heapSize = 64n << 20n;

/** glibc heaps (arenas beyond the main one): a 64 MiB-aligned rw anonymous mapping, with its reserved tail exactly 64 MiB. */
async function glibcHeaps(pid: number): Promise<number> {
  const maps = (await readFile(`/proc/${pid}/maps`, 'utf8')).trim().split('\n').map((line) => {
    const [range, perm, , , inode] = line.split(/\s+/);
    const [start, end] = range.split('-').map((x) => BigInt(`0x${x}`));
    return { start, end, perm, anonymous: inode === '0' };
  });
  return maps.filter((m, i) => {
    if (m.start % heapSize !== 0n || !m.anonymous || !m.perm.startsWith('rw')) return false;
    const tail = maps[i + 1];
    const end = tail && tail.start === m.end && tail.anonymous && tail.perm.startsWith('---') ? tail.end : m.end;
    return end - m.start === heapSize;
  }).length;
}

async function stateOf(pid: number): Promise<string | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return text === null ? null : text.slice(text.lastIndexOf(')') + 2)[0];
}

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** Runs a conversion on six decoder threads up to the point before publishing; what it looks like there. */
async function stoppedRun(input: string, out: string, env: NodeJS.ProcessEnv): Promise<{ heaps: number; children: number[]; code: number | null }> {
  const child = spawn(process.execPath, [binPath, 'convert', input, '--out', out, '--size', '32x32', '--jobs', '6', '--quiet'], {
    env: { ...process.env, MALLOC_ARENA_MAX: undefined, UV_THREADPOOL_SIZE: undefined, IMG2NPY_STOP_BEFORE_PUBLISH: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  const pid = child.pid!;
  // Polls the process table until the run has stopped itself; the test's own timeout bounds it.
  while ((await stateOf(pid)) !== 'T') {
    assert.notEqual(await stateOf(pid), null, `the run ended before publishing: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const found = { heaps: await glibcHeaps(pid), children: await childrenOf(pid) };
  process.kill(pid, 'SIGCONT');
  return { ...found, code: await exit };
}

test('one process, its arenas capped in place as MALLOC_ARENA_MAX=2 would (and not without the cap)', { skip: process.platform !== 'linux', timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { a: [1, 2, 3], b: [200, 10, 10] }, 12, 64, 48);
  const tuned = await stoppedRun(input, join(dir, 'tuned.npz'), {});
  // The control: neither the cap in place nor a restart with it (the marker says "already tuned").
  const untuned = await stoppedRun(input, join(dir, 'untuned.npz'), { IMG2NPY_MALLOC_IN_PROCESS: '0', IMG2NPY_MALLOC_TUNED: '1' });
  t.diagnostic(`glibc heaps: ${tuned.heaps} capped in place, ${untuned.heaps} without a cap`);
  assert.deepEqual(tuned.children, [], 'no second process: nothing that could outlive the one the caller sees');
  assert.equal(tuned.code, 0);
  assert.equal(untuned.code, 0);
  assert.ok(untuned.heaps > 1, `six decoder threads without a cap should have made arenas of their own (${untuned.heaps} heaps)`);
  assert.ok(tuned.heaps <= 1, `${tuned.heaps} glibc heaps besides the main arena with the cap`);
});
