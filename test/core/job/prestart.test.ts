/**
 * The engine's convert starts its decoder threads before the conversion's modules load
 * (prestartDecoders), and the job adopts them: never a second set, and none left behind when
 * the job fails before it begins.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { convert } from '../../../src/core/index.js';
import { liveDecoderThreads } from '../../../src/core/job/worker-pool.js';
import { makeSolidFolder } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

test('a conversion runs on the threads started before its modules loaded: jobs threads, not twice as many', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [1, 2, 3], b: [4, 5, 6] }, 20);
  const seen = new Set<number>();
  const report = await convert(
    { jobId: 'pre', input: root, output: join(dir, 'o.npz'), options: { size: { height: 4, width: 4 }, jobs: 3 }, overwrite: false },
    { onProgress: () => seen.add(liveDecoderThreads()) },
  );
  assert.equal(report.shape[0], 40);
  // 3 while decoding; fewer once they are told to end, while the outputs are finished.
  assert.equal(Math.max(...seen), 3, `threads alive during the job: ${[...seen]}`);
  assert.equal(liveDecoderThreads(), 0, 'none outlive the job');
});

test('a conversion refused before it starts (bad option, missing input) leaves no decoder thread running', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(convert({ jobId: 'bad', input: join(dir, 'missing'), output: join(dir, 'o.npz'), options: { size: { height: 4, width: 4 } }, overwrite: false }));
  assert.equal(liveDecoderThreads(), 0);
  await assert.rejects(convert({ jobId: 'bad2', input: dir, output: join(dir, 'o.npz'), options: { size: { height: 4, width: 4 }, dtype: 'float64' as never }, overwrite: false }));
  assert.equal(liveDecoderThreads(), 0);
});
