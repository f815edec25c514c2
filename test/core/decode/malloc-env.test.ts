import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mallocEnv, needsMallocTuning, tunedMarker } from '../../../src/core/decode/malloc-env.js';

test('only decoding commands on Linux re-run with malloc settings, once', () => {
  assert.equal(needsMallocTuning(['convert', 'in', '--out', 'o.npz'], {}, 'linux'), true);
  assert.equal(needsMallocTuning(['--quiet', 'inspect', 'o.npz'], {}, 'linux'), true);
  assert.equal(needsMallocTuning(['convert', '--help'], {}, 'linux'), false);
  assert.equal(needsMallocTuning(['presets', 'list'], {}, 'linux'), false);
  assert.equal(needsMallocTuning(['convert', 'in'], {}, 'darwin'), false);
  assert.equal(needsMallocTuning(['convert', 'in'], { [tunedMarker]: '1' }, 'linux'), false);
});

test("the user's own malloc settings win", () => {
  assert.equal(mallocEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX, '8');
  assert.equal(mallocEnv({}).MALLOC_ARENA_MAX, '2');
  assert.equal(mallocEnv({})[tunedMarker], '1');
});

test('the libuv pool grows with the cores (never below its default 4); a user setting wins', () => {
  assert.equal(mallocEnv({}, 16).UV_THREADPOOL_SIZE, '16');
  assert.equal(mallocEnv({}, 2).UV_THREADPOOL_SIZE, '4');
  assert.equal(mallocEnv({ UV_THREADPOOL_SIZE: '7' }, 16).UV_THREADPOOL_SIZE, '7');
});
