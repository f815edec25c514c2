import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderedPool } from '../../../src/core/job/ordered-pool.js';

test('results come in input order despite uneven task times; errors are values', async () => {
  const items = Array.from({ length: 40 }, (_, i) => i);
  const out: number[] = [];
  for await (const r of orderedPool(items, async (i) => {
    await sleep((i * 7) % 5);
    if (i === 13) throw new Error('bad 13');
    return i * 2;
  }, { concurrency: 4 })) {
    out.push(r.ok ? r.value : -r.index);
  }
  assert.deepEqual(out, items.map((i) => (i === 13 ? -13 : i * 2)));
});

test('never more than `concurrency` tasks run, and a slow consumer stops new work', async () => {
  let running = 0;
  let peak = 0;
  let started = 0;
  const items = Array.from({ length: 30 }, (_, i) => i);
  const gen = orderedPool(items, async () => {
    started++;
    running++;
    peak = Math.max(peak, running);
    await sleep(2);
    running--;
  }, { concurrency: 3, window: 2 });
  await gen.next();
  await sleep(30);
  // consumer paused after the first result: at most concurrency + window started beyond it
  assert.ok(started <= 1 + 3 + 2, `started ${started}`);
  for await (const _ of gen) void _;
  assert.ok(peak <= 3, `peak ${peak}`);
  assert.equal(started, 30);
});

test('abort stops the pool with the abort reason', async () => {
  const controller = new AbortController();
  const items = Array.from({ length: 100 }, (_, i) => i);
  let seen = 0;
  await assert.rejects(async () => {
    for await (const _ of orderedPool(items, async () => sleep(1), { concurrency: 2, signal: controller.signal })) {
      if (++seen === 5) controller.abort();
    }
  }, { name: 'AbortError' });
  assert.equal(seen, 5);
});
