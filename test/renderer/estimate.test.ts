import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateAfterProbe } from '../../src/renderer/lib/estimate.js';

const preview = { shape: [10, 32, 32, 3], estimatedBytes: 10 * 3100 };

test('files the header probe will skip are taken out of the shape and the size', () => {
  const e = estimateAfterProbe(preview, { probed: 10, skipped: [{}, {}] });
  assert.deepEqual(e, { shape: [8, 32, 32, 3], bytes: 8 * 3100, skipped: 2 });
});

test('without a probe of the same files the preview stands (still running, failed, older scan)', () => {
  assert.deepEqual(estimateAfterProbe(preview, null), { shape: [10, 32, 32, 3], bytes: 31000, skipped: 0 });
  assert.deepEqual(estimateAfterProbe(preview, { probed: 12, skipped: [{}] }), { shape: [10, 32, 32, 3], bytes: 31000, skipped: 0 });
  assert.deepEqual(estimateAfterProbe(preview, { probed: 10, skipped: [] }), { shape: [10, 32, 32, 3], bytes: 31000, skipped: 0 });
});

test('nchw keeps its axes; every file unreadable gives zero rows', () => {
  assert.deepEqual(estimateAfterProbe({ shape: [3, 1, 8, 8], estimatedBytes: 300 }, { probed: 3, skipped: [{}, {}, {}] }), { shape: [0, 1, 8, 8], bytes: 0, skipped: 3 });
});
