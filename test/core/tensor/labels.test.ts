import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLabels } from '../../../src/core/tensor/labels.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { py } from '../../helpers/python.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** NumPy builds what Keras yields: int32 indices, float32 one-hot, float32 (N,1). */
async function numpyBytes(labels: number[], mode: string, n: number): Promise<string> {
  return py<string>(
    `import sys, json, base64, numpy as np
y = np.array(json.loads(sys.argv[1]), dtype=np.int64); mode = sys.argv[2]; n = int(sys.argv[3])
if mode == 'int': out = y.astype('<i4')
elif mode == 'binary': out = y.astype('<f4').reshape(-1, 1)
else: out = np.eye(n, dtype='<f4')[y]
print(json.dumps(base64.b64encode(np.ascontiguousarray(out).tobytes()).decode()))`,
    [JSON.stringify(labels), mode, String(n)],
  );
}

test('int labels are little-endian int32, as NumPy writes them', async () => {
  const labels = [0, 3, 1, 2, 2, 0];
  const out = encodeLabels(labels, 'int', 4);
  assert.equal(out.descr, '<i4');
  assert.deepEqual(out.rowShape, []);
  assert.equal(b64(out.bytes), await numpyBytes(labels, 'int', 4));
});

test('categorical labels are float32 one-hot rows', async () => {
  const labels = [2, 0, 4, 1];
  const out = encodeLabels(labels, 'categorical', 5);
  assert.equal(out.descr, '<f4');
  assert.deepEqual(out.rowShape, [5]);
  assert.equal(b64(out.bytes), await numpyBytes(labels, 'categorical', 5));
});

test('binary labels are float32 (N, 1)', async () => {
  const labels = [1, 0, 0, 1, 1];
  const out = encodeLabels(labels, 'binary', 2);
  assert.equal(out.descr, '<f4');
  assert.deepEqual(out.rowShape, [1]);
  assert.equal(b64(out.bytes), await numpyBytes(labels, 'binary', 2));
});

test('an empty label list gives empty bytes', () => {
  assert.equal(encodeLabels([], 'categorical', 3).bytes.length, 0);
});

test('binary with other than two classes is an invalid-option error that says what to do', () => {
  assert.throws(
    () => encodeLabels([0, 1, 2], 'binary', 3),
    (err: unknown) => err instanceof Img2npyError && err.code === 'invalid-option' && err.option === 'labelMode' &&
      /exactly 2 classes/.test(err.message) && /found 3/.test(err.message),
  );
});

test('labels outside [0, numClasses) or not integers are labels-invalid', () => {
  for (const bad of [[0, 3], [-1], [0.5]]) {
    assert.throws(() => encodeLabels(bad, 'int', 3), (err: unknown) => err instanceof Img2npyError && err.code === 'labels-invalid');
  }
});

test('numClasses must be a positive integer and the mode known', () => {
  assert.throws(() => encodeLabels([], 'int', 0), (err: unknown) => err instanceof Img2npyError && err.code === 'invalid-option');
  assert.throws(() => encodeLabels([0], 'onehot' as never, 2), (err: unknown) => err instanceof Img2npyError && err.code === 'invalid-option');
});
