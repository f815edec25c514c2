import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
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
