/**
 * The built CLI as a real process: signals, --json event stream, exit codes, start-up. Needs
 * `npm run build` (the test command builds first).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { cliProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** Many copies of one large noisy JPEG: slow enough to decode that a job is mid-run when signalled. */
async function makeSlowFolder(root: string, perClass: number): Promise<void> {
  const w = 1200;
  const h = 900;
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const src = join(root, 'src.jpg');
  await mkdir(root, { recursive: true });
  await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 }).toFile(src);
  for (const cls of ['a', 'b']) {
    await mkdir(join(root, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) await copyFile(src, join(root, cls, `${i}.jpg`));
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`${sig} mid-run stops promptly, removes temporary files, leaves no output, exits 130`, async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'in');
    await makeSlowFolder(root, 150);
    const outDir = join(dir, 'out');
    let signalled = false;
    const started = Date.now();
    const r = await cliProcess(['convert', root, '--out', join(outDir, 'o.npz'), '--size', '64x64', '--jobs', '1', '--json'], {}, (line, kill) => {
      const e = JSON.parse(line);
      if (!signalled && e.type === 'progress' && e.phase === 'decode' && e.done >= 3) {
        signalled = true;
        kill(sig);
      }
    });
    assert.ok(signalled, `never saw decode progress: ${r.stdout.slice(0, 500)} ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(Date.now() - started < 20000);
    const left = await readdir(outDir).catch(() => []);
    assert.deepEqual(left, [], `left behind: ${left.join(', ')}`);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(last.type, 'error');
    assert.equal(last.error.code, 'cancelled');
  });
}

test('--json prints progress events then one report; first progress comes early', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSlowFolder(root, 4);
  const r = await cliProcess(['convert', root, '--out', join(dir, 'o.npz'), '--size', '16x16', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 2);
  for (const e of progress) assert.deepEqual(Object.keys(e).sort(), ['done', 'etaSeconds', 'file', 'imagesPerSecond', 'jobId', 'phase', 'skipped', 'total', 'type']);
  const decodeDone = progress.filter((e) => e.phase === 'decode').pop();
  assert.deepEqual([decodeDone.done, decodeDone.total], [8, 8]);
  const report = events.pop();
  assert.equal(report.type, 'report');
  assert.deepEqual(report.shape, [8, 16, 16, 3]);
  assert.equal(events.filter((e) => e.type === 'report').length, 0);
});

test('--help, --version and usage errors from the real binary', async () => {
  const help = await cliProcess(['convert', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--validation-split/);
  const version = await cliProcess(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = await cliProcess(['convert', 'x', '--out', 'y.npz', '--jobs', 'many']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Expected integer for --jobs but received "many"/);
});
