import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mallocEnv, needsMallocTuning, tunedInProcess, tunedMarker } from '../../../src/core/decode/malloc-env.js';

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

test('a process counts as tuned in place only with the values the rule gives, or the user\'s own', () => {
  const want = mallocEnv({});
  const applied = { UV_THREADPOOL_SIZE: want.UV_THREADPOOL_SIZE, MALLOC_ARENA_MAX: '2' };
  assert.equal(tunedInProcess({}, applied), true);
  assert.equal(tunedInProcess({}, { UV_THREADPOOL_SIZE: want.UV_THREADPOOL_SIZE }), false, 'arena cap not applied (no koffi)');
  assert.equal(tunedInProcess({}, { MALLOC_ARENA_MAX: '2' }), false, 'pool size not set before start');
  assert.equal(tunedInProcess({}, { ...applied, UV_THREADPOOL_SIZE: String(Number(want.UV_THREADPOOL_SIZE) + 1) }), false, 'pool size drifted');
  assert.equal(tunedInProcess({}, { ...applied, MALLOC_ARENA_MAX: '3' }), false, 'arena cap drifted');
  const user = { UV_THREADPOOL_SIZE: '3', MALLOC_ARENA_MAX: '8' };
  assert.equal(tunedInProcess(user, user), true, "the user's own settings, applied by glibc and libuv at start");
});
