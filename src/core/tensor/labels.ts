/**
 * The y array, encoded as Keras's image_dataset_from_directory yields it: `int` → int32 class
 * indices (N,), `categorical` → float32 one-hot (N, numClasses), `binary` → float32 (N, 1) of 0/1.
 */
import { Img2npyError } from '../../shared/errors.js';
import type { LabelMode } from '../../shared/options.js';
import { hostIsLittleEndian } from './float16.js';

export interface EncodedLabels {
  /** Little-endian element bytes of all rows, row-major. */
  bytes: Uint8Array;
  /** Shape of one row: [] for int, [numClasses] for categorical, [1] for binary. */
  rowShape: number[];
  descr: '<i4' | '<f4';
}

/**
 * Encodes class indices for the given label mode.
 *
 * @example
 * encodeLabels([0, 2], 'categorical', 3)
 * // { bytes: <f4 bytes of [1,0,0, 0,0,1]>, rowShape: [3], descr: '<f4' }
 * @throws {Img2npyError} `invalid-option` when mode is binary and numClasses is not 2, or
 *   numClasses is not a positive integer; `labels-invalid` when a label is not an integer in
 *   [0, numClasses).
 */
export function encodeLabels(labels: readonly number[], mode: LabelMode, numClasses: number): EncodedLabels {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Img2npyError('invalid-option', `Expected a positive integer for numClasses but received ${numClasses}`, { option: 'labelMode' });
  }
  if (mode === 'binary' && numClasses !== 2) {
    throw new Img2npyError(
      'invalid-option',
      `Expected exactly 2 classes for labelMode binary but found ${numClasses}; use --label-mode int or categorical`,
      { option: 'labelMode' },
    );
  }
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new Img2npyError('labels-invalid', `Expected a class index from 0 to ${numClasses - 1} for label ${i} but received ${label}`);
    }
  });
  switch (mode) {
    case 'int':
      return { bytes: littleEndian(Int32Array.from(labels)), rowShape: [], descr: '<i4' };
    case 'binary':
      return { bytes: littleEndian(Float32Array.from(labels)), rowShape: [1], descr: '<f4' };
    case 'categorical': {
      const onehot = new Float32Array(labels.length * numClasses);
      labels.forEach((label, i) => {
        onehot[i * numClasses + label] = 1;
      });
      return { bytes: littleEndian(onehot), rowShape: [numClasses], descr: '<f4' };
    }
    default:
      throw new Img2npyError('invalid-option', `Expected one of int, categorical, binary for labelMode but received ${String(mode)}`, { option: 'labelMode' });
  }
}

/** 4-byte elements as little-endian bytes (a view on little-endian hosts, a swapped copy elsewhere). */
function littleEndian(a: Int32Array | Float32Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (hostIsLittleEndian) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    out[i] = bytes[i + 3];
    out[i + 1] = bytes[i + 2];
    out[i + 2] = bytes[i + 1];
    out[i + 3] = bytes[i];
  }
  return out;
}
