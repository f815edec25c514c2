/**
 * Several real CLI processes racing for one output name. Each is frozen (SIGSTOP) once it has
 * passed its start-up check, so all of them really do reach publish believing the name free;
 * then they are released together. Exactly one may publish; the others exit 1 saying why, and
 * the winner's output is intact (NumPy reads the winner's arrays, the manifest names its job).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { binPath, makeSolidFolder } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

// One process per run (no malloc re-exec), so SIGCONT reaches the process that works; each stops
// itself with every row written and nothing published (IMG2NPY_STOP_BEFORE_PUBLISH), after its
// start-up check: all of them really do reach publish believing the name free.
const env = { IMG2NPY_MALLOC_TUNED: '1', IMG2NPY_STOP_BEFORE_PUBLISH: '1' };

interface Racer {
  done: Promise<{ code: number | null; stdout: string }>;
  frozen: Promise<void>;
  resume: () => void;
  /** Ends a run left stopped when the test fails early. */
  kill: () => void;
}

async function stateOf(pid: number): Promise<string | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return text === null ? null : text.slice(text.lastIndexOf(')') + 2)[0];
}

function racer(argv: string[]): Racer {
  const child = spawn(process.execPath, [binPath, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  const frozen = (async () => {
    // Polls the process table until the run has stopped itself; the test's timeout bounds it.
    for (;;) {
      const state = await stateOf(child.pid!);
      if (state === 'T') return;
      if (state === null || state === 'Z') throw new Error(`the run ended before publishing: ${stdout.slice(-300)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { done, frozen, resume: () => child.kill('SIGCONT'), kill: () => child.exitCode === null && child.kill('SIGKILL') };
}

function reportOf(stdout: string): { jobId: string } | null {
  const line = stdout.trim().split('\n').find((l) => l.includes('"type":"report"'));
  return line ? (JSON.parse(line) as { jobId: string }) : null;
}

for (const kind of ['npz', 'npy'] as const) {
  test(`three runs racing for one ${kind} output: exactly one publishes, the others exit 1, nothing lost`, async (t) => {
    const dir = await tempDir(t);
    const input = join(dir, 'in');
    await makeSolidFolder(input, { a: [10, 20, 30], b: [200, 100, 0] }, 3);
    const out = join(dir, kind === 'npz' ? 'race.npz' : 'race');
    const racers = [0, 1, 2].map((i) => racer(['convert', input, '--out', out, '--size', `${4 + i}x4`, '--json']));
    t.after(() => racers.forEach((r) => r.kill()));
    await Promise.all(racers.map((r) => r.frozen));
    for (const r of racers) r.resume();
    const results = await Promise.all(racers.map((r) => r.done));
    const winners = results.filter((r) => r.code === 0);
    assert.equal(winners.length, 1, results.map((r) => `${r.code}: ${r.stdout.slice(-300)}`).join('\n'));
    for (const loser of results.filter((r) => r.code !== 0)) {
      assert.equal(loser.code, 1, loser.stdout);
      assert.match(loser.stdout, /appeared while this job ran/);
    }
    const winner = reportOf(winners[0].stdout)!;
    const manifest = JSON.parse(await readFile(join(dir, 'race.manifest.json'), 'utf8')) as { jobId: string; shape: number[] };
    assert.equal(manifest.jobId, winner.jobId);
    const shape = await py<number[]>(
      `import sys, json, os, numpy as np
p = sys.argv[1]
x = np.load(p)['x'] if p.endswith('.npz') else np.load(os.path.join(p, 'x.npy'))
print(json.dumps(list(x.shape)))`,
      [out],
    );
    assert.deepEqual(shape, manifest.shape);
    // No temporary folders of the losers are left behind.
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.img2npy-')), []);
  });
}
