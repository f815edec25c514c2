import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { uint8ChannelSums } from '../../../src/core/arrays/uint8-sums.js';
import { wasmBytesModule, wasmSources } from '../../../scripts/build-wasm.js';

test('the committed WebAssembly bytes are what wasm/sums.wat assembles to (npm run build:wasm)', async () => {
  assert.equal(await readFile(wasmSources.sums.bytesModule, 'utf8'), await wasmBytesModule(wasmSources.sums));
});

function reference(values: Uint8Array, channels: number): { sum: bigint[]; squares: bigint[] } {
  const sum = new Array<bigint>(channels).fill(0n);
  const squares = new Array<bigint>(channels).fill(0n);
  for (let i = 0; i < values.length; i++) {
    sum[i % channels] += BigInt(values[i]);
    squares[i % channels] += BigInt(values[i] * values[i]);
  }
  return { sum, squares };
}

test('exact per-channel sums for 1, 3 and 4 channels, with tails, across the per-call chunk and at the u32 lane limit', () => {
  let seed = 11;
  const byte = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) >>> 16) & 255;
  // 3 MiB is one call's chunk: a length past it takes two calls; all-255 bytes fill every lane to its limit.
  for (const [length, fill] of [[0, null], [47, null], [48 * 5 + 7, null], [3 * 1024 * 1024 + 48 * 3 + 5, null], [3 * 1024 * 1024 + 96, 255]] as [number, number | null][]) {
    for (const channels of [1, 3, 4] as const) {
      const n = length - (length % channels);
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) values[i] = fill ?? byte();
      const got = uint8ChannelSums(values, channels);
      assert.ok(got, 'Node 20 has WASM SIMD');
      assert.equal(got.count, n / channels);
      // Numbers, exact (every sum below 2^53): the same values as bigint arithmetic gives.
      assert.ok([...got.sum, ...got.squares].every(Number.isSafeInteger));
      assert.deepEqual({ sum: got.sum.map(BigInt), squares: got.squares.map(BigInt) }, reference(values, channels), `length ${n}, ${channels} channels`);
    }
  }
});
