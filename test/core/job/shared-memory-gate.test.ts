import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeMemory } from '../../../src/core/decode/memory-gate.js';
import { planJob, resolveJobOptions } from '../../../src/core/job/plan.js';
import { DecoderPool } from '../../../src/core/job/worker-pool.js';
import { tempDir } from '../../helpers/tmp.js';

test("a job's decoder threads take the job's one memory gate (progressive JPEGs, both threads), not one each", async (t) => {
  const dir = await tempDir(t);
  const px = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3080c0' } }).raw().toBuffer();
  const files: string[] = [];
  for (let i = 0; i < 6; i++) {
    const abs = join(dir, `p${i}.jpg`);
    await writeFile(abs, await sharp(px, { raw: { width: 320, height: 240, channels: 3 } }).jpeg({ progressive: true }).toBuffer());
    files.push(abs);
  }
  const baseline = join(dir, 'b.jpg');
  await writeFile(baseline, await sharp(px, { raw: { width: 320, height: 240, channels: 3 } }).jpeg().toBuffer());
  const size = { height: 16, width: 16 };
  // A budget below one image's cost: each request runs alone, so the two threads take turns.
  const pool = new DecoderPool(2, { plan: planJob(dir, resolveJobOptions({ size })), memoryBudget: 1000 });
  const here = decodeMemory().requests;
  try {
    const rows = await Promise.all([...files, baseline].map((f) => pool.decode(f, size)));
    assert.ok(rows.every((r) => r.kind === 'image'));
    assert.equal(pool.memory.requests, files.length, 'every progressive decode asked the job gate; the baseline one needed nothing');
    assert.equal(pool.memory.used, 0, 'all released');
    assert.equal(decodeMemory().requests, here, "this thread's own gate was not used");
  } finally {
    await pool.close();
  }
});
