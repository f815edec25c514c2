import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageTimes } from '../../../src/core/job/image-times.js';
import { groupSizeFor } from '../../../src/core/job/worker-pool.js';

test('a thread\'s first group, which carries its start-up, stops counting once a started thread answers', () => {
  const times = new ImageTimes();
  assert.equal(times.msPerImage, null);
  // Two threads' first groups (12 ms of start-up in a 0.3 ms image): the estimate until then.
  times.add(12.3, true);
  times.add(11.6, true);
  assert.equal(times.msPerImage, 11.6);
  // The first group of a started thread replaces them, so groups grow at once:
  times.add(0.3, false);
  assert.equal(times.msPerImage, 0.3);
  assert.equal(groupSizeFor(32 * 32 * 3, times.msPerImage), 20);
  // A first group arriving later (a slow thread) changes nothing now.
  times.add(13, true);
  assert.equal(times.msPerImage, 0.3);
  // Later groups are averaged, the latest weighing a fifth.
  times.add(0.8, false);
  assert.ok(Math.abs(times.msPerImage! - 0.4) < 1e-12, `${times.msPerImage}`);
});
