import assert from 'node:assert/strict';
import { test } from 'node:test';
import { giveSlab, takeSlab } from '../../../src/core/geometry/row-buffers.js';

test('takeSlab hands back the smallest kept slab that holds the rows, else a new one rounded up to a power of two from 64 KiB', () => {
  const fresh = takeSlab(100_000);
  assert.equal(fresh.byteLength, 128 * 1024);
  assert.equal(takeSlab(10).byteLength, 64 * 1024);
  const [small, large] = [new ArrayBuffer(256 * 1024), new ArrayBuffer(1024 * 1024)];
  giveSlab(large);
  giveSlab(small);
  assert.equal(takeSlab(200_000), small, 'the smallest that fits');
  assert.equal(takeSlab(300_000), large);
  assert.notEqual(takeSlab(300_000), large, 'a slab is handed out once');
  // Four are kept, the largest: a fifth pushes out the smallest.
  const kept = [1, 2, 3, 4, 5].map((k) => new ArrayBuffer(k * 64 * 1024));
  for (const b of kept) giveSlab(b);
  assert.equal(takeSlab(1), kept[1], 'the 64 KiB one was dropped');
  for (let i = 0; i < 3; i++) takeSlab(1);
  assert.equal(takeSlab(1).byteLength, 64 * 1024, 'none left: a new one');
});
