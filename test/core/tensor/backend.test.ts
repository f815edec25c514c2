import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadBackend } from '../../../src/core/tensor/backend.js';
import { Img2npyError } from '../../../src/shared/errors.js';

const run = promisify(execFile);
const backendModule = fileURLToPath(new URL('../../../src/core/tensor/backend.ts', import.meta.url));

/** Runs an ES module snippet in a fresh Node (with tsx) so global tfjs state starts empty. */
async function inFreshProcess(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  });
  return stdout.trim();
}

test('importing backend.ts loads no tfjs; loadBackend does', async () => {
  const out = await inFreshProcess(`
    const { loadBackend } = await import(${JSON.stringify(backendModule)});
    const before = globalThis._tfengine === undefined;
    await loadBackend('cpu');
    console.log(JSON.stringify({ before, after: globalThis._tfengine !== undefined }));`);
  assert.deepEqual(JSON.parse(out), { before: true, after: true });
});

test("'wasm' starts wasm and says whether SIMD and threads are in use", async () => {
  const b = await loadBackend('wasm');
  assert.equal(b.name, 'wasm');
  assert.match(b.detail, /^wasm \((no )?SIMD, \d+ threads?\)$/);
  assert.equal(b.tf.getBackend(), 'wasm');
});

test('starting wasm leaves no process-wide error handlers behind (emscripten installs some)', async () => {
  const out = await inFreshProcess(`
    const count = () => process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length;
    const before = count();
    const { loadBackend } = await import(${JSON.stringify(backendModule)});
    await loadBackend('wasm');
    console.log(JSON.stringify({ before, after: count() }));`);
  const { before, after } = JSON.parse(out) as { before: number; after: number };
  assert.equal(after, before);
});

test("'cpu' starts cpu exactly", async () => {
  const b = await loadBackend('cpu');
  assert.equal(b.name, 'cpu');
  assert.equal(b.detail, 'cpu');
  assert.equal(b.tf.getBackend(), 'cpu');
});

test("'auto' prefers wasm, and every name loads once per process", async () => {
  const a = await loadBackend('auto');
  assert.equal(a.name, 'wasm');
  assert.equal(await loadBackend('auto'), await loadBackend('auto'));
  const cpu = await loadBackend('cpu');
  assert.equal(cpu.tf.getBackend(), 'cpu');
  assert.equal(await loadBackend('cpu'), cpu);
  // Asking again for a name started earlier makes it the active backend again.
  assert.equal((await loadBackend('wasm')).tf.getBackend(), 'wasm');
});

test("'auto' falls back to cpu and says why when wasm cannot start", async () => {
  // A broken 'wasm' factory registered first wins: tfjs keeps the first registration of a name.
  const out = await inFreshProcess(`
    const tf = await import('@tensorflow/tfjs-core');
    tf.registerBackend('wasm', () => { throw new Error('no wasm here'); }, 100);
    const { loadBackend } = await import(${JSON.stringify(backendModule)});
    const b = await loadBackend('auto');
    console.log(JSON.stringify({ name: b.name, detail: b.detail, active: tf.getBackend() }));`);
  const got = JSON.parse(out) as { name: string; detail: string; active: string };
  assert.equal(got.name, 'cpu');
  assert.equal(got.active, 'cpu');
  assert.match(got.detail, /^cpu \(wasm unavailable: .+\)$/);
});

test("'tensorflow' without tfjs-node is backend-unavailable, naming both packages and how to install", async () => {
  await assert.rejects(loadBackend('tensorflow'), (err: unknown) => {
    assert.ok(err instanceof Img2npyError);
    assert.equal(err.code, 'backend-unavailable');
    assert.match(err.message, /@tensorflow\/tfjs-node-gpu/);
    assert.match(err.message, /npm install @tensorflow\/tfjs-node/);
    return true;
  });
  // A failed start is not cached as success, and the active backend is left alone.
  await assert.rejects(loadBackend('tensorflow'), Img2npyError);
});

test('an unknown name is invalid-option', async () => {
  await assert.rejects(loadBackend('gpu' as never), (err: unknown) => err instanceof Img2npyError && err.code === 'invalid-option');
});

test('a job with no tensor operation loads no tfjs under auto; a backend named explicitly still starts', async () => {
  const out = await inFreshProcess(`
    const { backendForJob } = await import(${JSON.stringify(backendModule)});
    const none = await backendForJob('auto', false);
    const loadedByNone = globalThis._tfengine !== undefined;
    const cpu = await backendForJob('cpu', false);
    const auto = await backendForJob('auto', true);
    console.log(JSON.stringify({ none: [none.name, none.tf], loadedByNone, cpu: cpu.name, auto: auto.name }));`);
  assert.deepEqual(JSON.parse(out), { none: ['none', null], loadedByNone: false, cpu: 'cpu', auto: 'wasm' });
});

test("a named backend that cannot start fails the job even when it would have nothing to do", async () => {
  const { backendForJob } = await import('../../../src/core/tensor/backend.js');
  await assert.rejects(backendForJob('tensorflow', false), (err: unknown) => err instanceof Img2npyError && err.code === 'backend-unavailable');
});
