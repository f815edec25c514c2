import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { type Pixels, type ResampleFilter, resample, resampleScratch, wasmSimdAvailable } from '../../../src/core/geometry/resample.js';
import { bytesModulePath, resampleWasmModule } from '../../../scripts/build-wasm.js';

let seed = 7;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n);
};
function pixels(width: number, height: number, bands: number): Pixels {
  const data = new Uint8Array(width * height * bands);
  // Hard edges and flat runs among the noise, so sums overshoot and clip at both ends.
  for (let i = 0; i < data.length; i++) data[i] = rand(4) === 0 ? (rand(2) ? 255 : 0) : rand(256);
  return { data, width, height, bands };
}
const filters: ResampleFilter[] = ['bilinear', 'bicubic', 'lanczos3', 'box'];

test('the committed WebAssembly bytes are what wasm/resample.wat assembles to (npm run build:wasm)', async () => {
  assert.equal(await readFile(bytesModulePath, 'utf8'), await resampleWasmModule());
});

test('the WebAssembly SIMD passes give the TypeScript passes’ bytes on random sizes, boxes, bands and filters', () => {
  assert.ok(wasmSimdAvailable(), 'Node 20 has WASM SIMD');
  for (let i = 0; i < 400; i++) {
    const src = pixels(1 + rand(90), 1 + rand(90), 1 + rand(4));
    // Whole-pixel and fractional boxes (a DCT-scaled crop is fractional), one axis or both.
    const x0 = rand(3) ? 0 : rand(src.width) * (rand(2) ? 1 : 0.375);
    const y0 = rand(3) ? 0 : rand(src.height) * (rand(2) ? 1 : 0.625);
    const x1 = rand(3) ? src.width : Math.min(src.width, x0 + 0.5 + rand(src.width - Math.floor(x0)));
    const y1 = rand(3) ? src.height : Math.min(src.height, y0 + 0.5 + rand(src.height - Math.floor(y0)));
    const box = { x0, y0, x1, y1 };
    const outW = rand(4) ? 1 + rand(120) : src.width;
    const outH = rand(4) ? 1 + rand(120) : src.height;
    const filter = filters[rand(filters.length)];
    const js = resample(src, box, outW, outH, filter, 'js');
    const wasm = resample(src, box, outW, outH, filter, 'wasm');
    const what = `${filter} ${src.width}x${src.height}x${src.bands} ${JSON.stringify(box)} → ${outW}x${outH}`;
    assert.deepEqual([wasm.width, wasm.height, wasm.bands], [js.width, js.height, js.bands], what);
    assert.ok(Buffer.from(wasm.data).equals(Buffer.from(js.data)), what);
  }
});

test('an image past the kept WebAssembly memory (16 MiB) resizes the same through a throwaway instance, and the next small one still does', () => {
  const big = pixels(2600, 2200, 3);
  const box = { x0: 100, y0: 0, x1: 2300, y1: 2200 };
  assert.ok(Buffer.from(resample(big, box, 224, 224, 'bilinear', 'wasm').data).equals(Buffer.from(resample(big, box, 224, 224, 'bilinear', 'js').data)));
  const small = pixels(40, 30, 4);
  const whole = { x0: 0, y0: 0, x1: 40, y1: 30 };
  assert.ok(Buffer.from(resample(small, whole, 17, 23, 'lanczos3', 'wasm').data).equals(Buffer.from(resample(small, whole, 17, 23, 'lanczos3', 'js').data)));
});

test('worker threads run the WebAssembly passes too (decoding runs in them)', async () => {
  const src = pixels(313, 235, 3);
  const box = { x0: 38.75, y0: 0, x1: 273.125, y1: 234.375 };
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      (await import(workerData.tsx)).register();
      const { resample, wasmSimdAvailable } = await import(workerData.resample);
      const out = resample(workerData.src, workerData.box, 224, 224, 'bilinear', 'wasm');
      parentPort.postMessage({ simd: wasmSimdAvailable(), data: out.data });
    })().catch((e) => parentPort.postMessage({ error: String((e && e.stack) || e) }));`;
  const reply = await new Promise<{ simd?: boolean; data?: Uint8Array; error?: string }>((resolve, reject) => {
    const w = new Worker(script, {
      eval: true,
      workerData: { src, box, tsx: import.meta.resolve('tsx/esm/api'), resample: new URL('../../../src/core/geometry/resample.ts', import.meta.url).href },
    });
    w.once('message', (m) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
  assert.equal(reply.error, undefined, reply.error);
  assert.equal(reply.simd, true);
  assert.ok(Buffer.from(reply.data!).equals(Buffer.from(resample(src, box, 224, 224, 'bilinear', 'js').data)));
});

test('pixels decoded into resampleScratch resize in place to the same bytes, also when the resize then grows the memory or takes a view into it', () => {
  const check = (src: Pixels, box: { x0: number; y0: number; x1: number; y1: number }, outW: number, outH: number, what: string) => {
    const expected = resample({ ...src, data: src.data.slice() }, box, outW, outH, 'bilinear', 'js').data;
    const scratch = resampleScratch(src.data.length);
    assert.ok(scratch, what);
    scratch.set(src.data);
    const got = resample({ ...src, data: scratch }, box, outW, outH, 'bilinear', 'wasm').data;
    assert.ok(Buffer.from(got).equals(Buffer.from(expected)), what);
  };
  check(pixels(500, 375, 3), { x0: 0, y0: 0, x1: 500, y1: 375 }, 224, 224, 'whole image, both passes');
  check(pixels(300, 301, 4), { x0: 10, y0: 37, x1: 290, y1: 250 }, 150, 97, 'a box: the vertical pass starts at a later row');
  // A small source, then an upscale whose buffers need more memory than the scratch grew to.
  check(pixels(60, 40, 3), { x0: 0, y0: 0, x1: 60, y1: 40 }, 1500, 1100, 'memory grows after the decode');
  // Past the kept memory: a throwaway instance, fed from the scratch before anything grows.
  check(pixels(1400, 1000, 3), { x0: 0, y0: 0, x1: 1400, y1: 1000 }, 2000, 1900, 'buffers past the kept memory');
  // A view that does not start at the scratch's start is copied before the memory can grow.
  const src = pixels(80, 50, 3);
  const scratch = resampleScratch(src.data.length + 3)!;
  const view = scratch.subarray(3, 3 + src.data.length);
  view.set(src.data);
  const expected = resample({ ...src, data: src.data.slice() }, { x0: 0, y0: 0, x1: 80, y1: 50 }, 1700, 1300, 'bilinear', 'js').data;
  const got = resample({ ...src, data: view }, { x0: 0, y0: 0, x1: 80, y1: 50 }, 1700, 1300, 'bilinear', 'wasm').data;
  assert.ok(Buffer.from(got).equals(Buffer.from(expected)), 'offset view');
});
