import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { MemoryGate, jpegDecodeCost, jpegFrame } from '../../../src/core/decode/memory-gate.js';

test('the gate never lets more than the budget in, serves first come first, and runs oversize requests alone', async () => {
  const gate = new MemoryGate(100);
  let inUse = 0;
  let peak = 0;
  const order: number[] = [];
  const job = async (id: number, bytes: number) => {
    const release = await gate.acquire(bytes);
    order.push(id);
    inUse += Math.min(bytes, 100);
    peak = Math.max(peak, inUse);
    await sleep(5);
    inUse -= Math.min(bytes, 100);
    release();
    release(); // a second release is harmless
  };
  await Promise.all([job(1, 60), job(2, 60), job(3, 500), job(4, 10), job(5, 0)]);
  assert.ok(peak <= 100, `peak ${peak}`);
  assert.deepEqual(order.slice(0, 2), [1, 5]);
  assert.deepEqual(order.slice(2), [2, 3, 4]);
});

test('jpegFrame reads size, components and progressive from real JPEGs; cost only for progressive', async () => {
  const px = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } }).raw().toBuffer();
  const encode = (progressive: boolean) => sharp(px, { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ progressive }).toBuffer();
  const base = jpegFrame(await encode(false));
  const prog = jpegFrame(await encode(true));
  assert.deepEqual(base, { width: 300, height: 200, components: 3, progressive: false });
  assert.deepEqual(prog, { width: 300, height: 200, components: 3, progressive: true });
  assert.equal(jpegDecodeCost(base), 0);
  assert.equal(jpegDecodeCost(prog), 300 * 200 * 3 * 2);
  assert.equal(jpegFrame(Buffer.from('not a jpeg at all')), null);
  assert.equal(jpegDecodeCost(null), 0);
});

/** A worker thread (TypeScript through tsx, as worker-pool.ts boots them) running `body` with `gate` and `workerData`. */
function gateThread(shared: SharedArrayBuffer, tally: SharedArrayBuffer, body: string): Promise<void> {
  const gateUrl = new URL('../../../src/core/decode/memory-gate.ts', import.meta.url).href;
  const boot = `
    const { workerData, parentPort } = await import('node:worker_threads');
    const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
    register();
    const { MemoryGate } = await import(${JSON.stringify(gateUrl)});
    const gate = MemoryGate.over(workerData.shared);
    const tally = new Int32Array(workerData.tally);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    ${body}
    parentPort.postMessage('done');`;
  return new Promise((resolve, reject) => {
    const w = new Worker(`(async () => { ${boot} })().catch((e) => { throw e; })`, { eval: true, workerData: { shared, tally } });
    w.once('message', () => resolve());
    w.once('error', reject);
    w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
}

test('one gate across threads: two threads sharing its state never hold more than the budget together', async () => {
  const gate = new MemoryGate(100);
  // tally: [bytes held now, peak, acquisitions, parties ready]
  const tally = new SharedArrayBuffer(4 * 4);
  // All three parties start together (threads boot at their own pace), so they contend.
  const body = `
    Atomics.add(tally, 3, 1);
    Atomics.notify(tally, 3);
    for (let ready = Atomics.load(tally, 3); ready < 3; ready = Atomics.load(tally, 3)) Atomics.wait(tally, 3, ready);
    for (let i = 0; i < 15; i++) {
      const release = await gate.acquire(60);
      const now = Atomics.add(tally, 0, 60) + 60;
      for (let peak = Atomics.load(tally, 1); now > peak && Atomics.compareExchange(tally, 1, peak, now) !== peak; peak = Atomics.load(tally, 1));
      Atomics.add(tally, 2, 1);
      await sleep(3);
      Atomics.sub(tally, 0, 60);
      release();
    }`;
  // The main thread takes the same gate as well, at the same time.
  const main = (async () => {
    const t = new Int32Array(tally);
    Atomics.add(t, 3, 1);
    Atomics.notify(t, 3);
    while (Atomics.load(t, 3) < 3) await sleep(1);
    for (let i = 0; i < 10; i++) {
      const release = await gate.acquire(30);
      const now = Atomics.add(t, 0, 30) + 30;
      for (let peak = Atomics.load(t, 1); now > peak && Atomics.compareExchange(t, 1, peak, now) !== peak; peak = Atomics.load(t, 1));
      Atomics.add(t, 2, 1);
      await sleep(2);
      Atomics.sub(t, 0, 30);
      release();
    }
  })();
  await Promise.all([gateThread(gate.shared, tally, body), gateThread(gate.shared, tally, body), main]);
  const [held, peak, count] = new Int32Array(tally);
  assert.equal(count, 40, 'every acquisition was served');
  assert.equal(held, 0);
  assert.equal(gate.used, 0, 'every release came back');
  assert.ok(peak <= 100, `peak ${peak} over the budget of 100`);
  assert.ok(peak >= 60);
});

test('a gate opened over another gate state has its budget; budgets are whole bytes below 2 GiB', () => {
  const gate = new MemoryGate(12345);
  assert.equal(MemoryGate.over(gate.shared).budget, 12345);
  for (const bad of [0, -1, 1.5, 2 ** 31, Number.NaN]) assert.throws(() => new MemoryGate(bad), RangeError);
});
