/**
 * Bounded resources, no hangs: a padded canvas that cannot fit, an output path that can never
 * exist, a labels "file" that is a FIFO, file names that try to rewrite the terminal. Each ends
 * within the test's timeout with a clear message and exit 1 or 2, run as a real process.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { cli, cliProcess, makeSolidFolder } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

test('--resize none with a 30000x10 and a 10x30000 image: refused before decoding with the canvas size, exit 2', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await mkdir(join(input, 'a'), { recursive: true });
  const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } }).png();
  await solid(30000, 10).toFile(join(input, 'a', 'wide.png'));
  await solid(10, 30000).toFile(join(input, 'a', 'tall.png'));
  const r = await cliProcess(['convert', input, '--out', join(dir, 'o.npz'), '--resize', 'none']);
  assert.equal(r.signal, null);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /needs a 30000x30000 canvas: 900000000 pixels, 2\.7 GB per image, over the pixel limit \d+ \(--max-pixels\)/);
  assert.doesNotMatch(r.stderr, /RangeError|\n\s+at /);
});

test('--out /proc/x.npz ends within seconds with exit 1 and a message (no mkdir loop)', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  await makeSolidFolder(join(dir, 'in'), { a: [1, 2, 3] }, 1);
  const r = await cliProcess(['convert', join(dir, 'in'), '--out', '/proc/x.npz', '--size', '4x4']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Cannot (write in|create the output folder) \/proc/);
});

test('--labels naming a FIFO is refused (exit 2) instead of blocking forever', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { a: [1, 2, 3] }, 1);
  const fifo = join(dir, 'labels.csv');
  await promisify(execFile)('mkfifo', [fifo]);
  const r = await cliProcess(['convert', input, '--out', join(dir, 'o.npz'), '--size', '4x4', '--labels', fifo]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /Labels file .*labels\.csv is a pipe \(FIFO\)/);
});

test('control characters in file names are escaped in human output; --json keeps them exact', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in');
  await makeSolidFolder(input, { a: [1, 2, 3] }, 1);
  const evil = 'x\x1b[2K\rAll files converted OK\x07.png';
  await writeFile(join(input, 'a', evil), 'not an image');
  const human = await cli(['convert', input, '--out', join(dir, 'h.npz'), '--size', '4x4']);
  assert.equal(human.code, 0, human.stderr);
  const printed = human.stdout + human.stderr;
  assert.doesNotMatch(printed, /[\x00-\x09\x0b-\x1f\x7f]/);
  assert.ok(printed.includes('a/x\\x1b[2K\\rAll files converted OK\\x07.png'), printed);
  const json = await cli(['convert', input, '--out', join(dir, 'j.npz'), '--size', '4x4', '--json']);
  const report = JSON.parse(json.stdout.trim().split('\n').pop()!) as { skipped: { file: string }[] };
  assert.ok(report.skipped.some((s) => s.file === `a/${evil}`));
});
