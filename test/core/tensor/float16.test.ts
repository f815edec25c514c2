import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { float16Bytes, float32ToFloat16Bits, fromFloat16Bits, toFloat16Bits } from '../../../src/core/tensor/float16.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

/** Float32 bit patterns that probe every rounding case: each half, the ties between neighbours, one ulp either side. */
function sweepBits(): Uint32Array {
  const out: number[] = [];
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let h = 0; h < 0x7c00; h++) {
    const lo = fromFloat16Bits(h);
    const hi = h === 0x7bff ? 65536 : fromFloat16Bits(h + 1); // 65536 = where the next half would be: the overflow tie is 65520
    f[0] = (lo + hi) / 2; // exact in float32: halves carry 11 significant bits
    const tie = u[0];
    f[0] = lo;
    out.push(u[0], tie, tie - 1, tie + 1);
  }
  // Pseudo-random bit patterns over every exponent, float32 subnormals and NaN payloads included.
  let s = 0x9e3779b9;
  for (let i = 0; i < 200_000; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(s & 0x7fffffff);
  }
  out.push(0x7f800000, 0x7fc00000, 0x7f800001, 0x7fa00000, 0x00000001, 0x477fefff, 0x477ff000, 0x477fe000);
  const withSigns = out.flatMap((b) => [b >>> 0, (b | 0x80000000) >>> 0]);
  return Uint32Array.from(withSigns);
}

test('float32 → float16 bits equal NumPy astype(np.float16) on a sweep of ties, subnormals, overflow and NaN', async (t) => {
  const dir = await tempDir(t);
  const bits = sweepBits();
  const values = new Float32Array(bits.buffer);
  await writeFile(join(dir, 'in.f32'), new Uint8Array(bits.buffer));
  await py(
    `import sys, json, numpy as np
x = np.fromfile(sys.argv[1], dtype='<f4')
x.astype(np.float16).view('<u2').tofile(sys.argv[2])
print(json.dumps(len(x)))`,
    [join(dir, 'in.f32'), join(dir, 'out.f2')],
  );
  const expected = new Uint16Array((await readFile(join(dir, 'out.f2'))).buffer.slice(0));
  const actual = float32ToFloat16Bits(values);
  assert.equal(actual.length, expected.length);
  let mismatches = 0;
  const examples: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      mismatches++;
      if (examples.length < 5) examples.push(`0x${bits[i].toString(16)} → ours 0x${actual[i].toString(16)}, numpy 0x${expected[i].toString(16)}`);
    }
  }
  assert.equal(mismatches, 0, examples.join('; '));
});

test('float16 bits decode to the values NumPy gives for all 65536 patterns', async () => {
  const all = await py<(number | string | null)[]>(
    `import json, numpy as np
v = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float64)
print(json.dumps([None if np.isnan(x) else (str(x) if np.isinf(x) else float(x)) for x in v]))`,
  );
  for (let h = 0; h < 65536; h++) {
    const want = all[h];
    const got = fromFloat16Bits(h);
    if (want === null) assert.ok(Number.isNaN(got), `0x${h.toString(16)} should be NaN`);
    else assert.equal(got, typeof want === 'string' ? Number(want.replace('inf', 'Infinity')) : want, `0x${h.toString(16)}`);
  }
});

test('known values: signed zero, largest half, the overflow tie, smallest subnormal', () => {
  assert.equal(toFloat16Bits(0), 0x0000);
  assert.equal(toFloat16Bits(-0), 0x8000);
  assert.equal(toFloat16Bits(65504), 0x7bff);
  assert.equal(toFloat16Bits(65519.99), 0x7bff);
  assert.equal(toFloat16Bits(65520), 0x7c00); // the tie rounds to even, which is Infinity
  assert.equal(toFloat16Bits(-Infinity), 0xfc00);
  assert.equal(toFloat16Bits(2 ** -24), 0x0001);
  assert.equal(toFloat16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal: even is 0
  assert.equal(toFloat16Bits(3 * 2 ** -26), 0x0001);
  assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN))));
});

test('float16Bytes writes little-endian pairs', () => {
  assert.deepEqual([...float16Bytes(Uint16Array.from([0x3c00, 0xc000]))], [0x00, 0x3c, 0x00, 0xc0]);
});

test('float32ToFloat16Bits accepts a view at an offset and an empty array', () => {
  const buf = new Float32Array([9, 1, 2]);
  assert.deepEqual([...float32ToFloat16Bits(buf.subarray(1))], [0x3c00, 0x4000]);
  assert.equal(float32ToFloat16Bits(new Float32Array(0)).length, 0);
});
