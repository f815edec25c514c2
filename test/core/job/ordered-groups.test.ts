import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderedGroups } from '../../../src/core/job/ordered-groups.js';

test('results come one per item in input order, whatever the group sizes and finishing order', async () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const sizes = [1, 3, 7, 2, 10];
  let k = 0;
  const seenGroups: number[][] = [];
  const out: number[] = [];
  for await (const r of orderedGroups(items, async (g) => {
    seenGroups.push(g);
    await sleep((g[0] * 7) % 5);
    return g.map((i) => i * 2);
  }, { groupSize: () => sizes[k++ % sizes.length], concurrency: 3 })) {
    assert.ok(r.ok);
    out.push(r.value);
    assert.equal(r.index, out.length - 1);
  }
  assert.deepEqual(out, items.map((i) => i * 2));
  // Each group is the next run of items, of the size asked when it started (the last one cut short).
  const flat = seenGroups.sort((a, b) => a[0] - b[0]).flat();
  assert.deepEqual(flat, items);
  assert.deepEqual(seenGroups.map((g) => g.length).slice(0, 5), sizes);
});

test('a failed group fails each of its items with its error; the others go on', async () => {
  const items = Array.from({ length: 12 }, (_, i) => i);
  const out: string[] = [];
  for await (const r of orderedGroups(items, async (g) => {
    if (g.includes(5)) throw new Error('thread died');
    return g;
  }, { groupSize: () => 4, concurrency: 2 })) {
    out.push(r.ok ? `ok${r.value}` : `err${r.index}:${(r.error as Error).message}`);
  }
  assert.deepEqual(out, [0, 1, 2, 3].map((i) => `ok${i}`).concat([4, 5, 6, 7].map((i) => `err${i}:thread died`), [8, 9, 10, 11].map((i) => `ok${i}`)));
});

test('a group answering the wrong number of results is an error for its items, never a shifted row', async () => {
  const out: boolean[] = [];
  for await (const r of orderedGroups([1, 2, 3, 4], async (g) => (g[0] === 3 ? [g[0]] : g), { groupSize: () => 2, concurrency: 1 })) out.push(r.ok);
  assert.deepEqual(out, [true, true, false, false]);
});

test('never more than `concurrency` groups run, and a slow consumer stops new work', async () => {
  let running = 0;
  let peak = 0;
  let started = 0;
  const items = Array.from({ length: 60 }, (_, i) => i);
  const gen = orderedGroups(items, async (g) => {
    started += g.length;
    running++;
    peak = Math.max(peak, running);
    await sleep(2);
    running--;
    return g;
  }, { groupSize: () => 3, concurrency: 2, window: 1 });
  await gen.next();
  await sleep(30);
  // The group being consumed, then at most 2 running + 1 waiting done: 4 groups of 3 items.
  assert.ok(started <= 12, `started ${started} items while the consumer held the first`);
  for await (const r of gen) assert.ok(r.ok);
  assert.ok(peak <= 2, `peak ${peak}`);
});

test('an abort stops the run at the next item, inside a group too, and no group outlives it', async () => {
  const controller = new AbortController();
  let running = 0;
  let seen = 0;
  const items = Array.from({ length: 100 }, (_, i) => i);
  await assert.rejects(async () => {
    for await (const r of orderedGroups(items, async (g) => {
      running++;
      await sleep(3);
      running--;
      return g;
    }, { groupSize: () => 5, concurrency: 3, signal: controller.signal })) {
      seen++;
      if (r.index === 12) controller.abort();
    }
  }, { name: 'AbortError' });
  assert.equal(seen, 13, 'items 13 and 14 of the same group are not handed out');
  assert.equal(running, 0);
});

test('a group size that is not a number of images counts as one; a task that throws fails its group', async () => {
  const out: string[] = [];
  const sizes = [Number.NaN, 0, 2.7];
  let k = 0;
  for await (const r of orderedGroups([1, 2, 3, 4, 5], (g) => {
    if (g.includes(4)) throw new Error('sync');
    return Promise.resolve(g);
  }, { groupSize: () => sizes[k++] ?? 5, concurrency: 1 })) out.push(r.ok ? `${r.value}` : `x${r.index}`);
  // Groups: [1] (NaN → 1), [2] (0 → 1), [3, 4] (2.7 → 2, throws), [5].
  assert.deepEqual(out, ['1', '2', 'x2', 'x3', '5']);
});
