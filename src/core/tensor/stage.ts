/**
 * The tensor stage: decoded images in, the bytes of their x rows out (final dtype and layout,
 * little-endian). Normalization and layout run on TensorFlow.js; the Keras resize before them
 * (tensor-resize.ts) and the final dtype conversion after them run in JS, so that every backend
 * gives TensorFlow's numbers and rounds alike.
 */
import { Img2npyError } from '../../shared/errors.js';
import type { Dtype, Layout, Normalization } from '../../shared/options.js';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { LoadedBackend, NoBackend, Tf } from './backend.js';
import { float16Bytes, float32ToFloat16Bits, hostIsLittleEndian } from './float16.js';
import { kerasResize } from './resize.js';
import type { DecodedImage } from '../types.js';

export interface TensorPlan {
  height: number;
  width: number;
  channels: 1 | 3 | 4;
  dtype: Dtype;
  normalize: Normalization;
  /** For 'custom': per-channel (or one broadcast) mean on the 0-1 scale, as torchvision's Normalize. */
  mean: number[] | null;
  std: number[] | null;
  layout: Layout;
  /**
   * null: every image already is height × width × channels (geometry done by the decoder).
   * Set (like: 'keras'): full decoded images, resized here with tf.image semantics.
   */
  resize: null | { method: 'bilinear' | 'nearest'; aspect: 'stretch' | 'crop' | 'pad' };
}

export interface TensorStage {
  readonly plan: TensorPlan;
  /** Shape of one x row: [h, w, c] for nhwc, [c, h, w] for nchw. */
  readonly rowShape: number[];
  readonly descr: '|u1' | '<f4' | '<f2';
  readonly rowBytes: number;
  /** True when rows leave as they came (uint8 nhwc, no resize, no normalisation): see `into`. */
  readonly passesBytesThrough: boolean;
  /**
   * Bytes of the batch's rows, in order. Holds no tensors between calls.
   * `into`, when given and large enough, receives the rows where the stage has nothing to compute
   * (uint8 nhwc, no normalisation): the result is then a view of it, so a caller that recycles
   * its buffers must not hand one in again while a result in it is still being written.
   * `floats` does the same where the stage computes (gathered as float32; float32 output is a
   * view of it).
   * @throws {Img2npyError} `internal` when an image does not match the plan.
   */
  processBatch(images: readonly DecodedImage[], into?: Uint8Array, floats?: Float32Array): Promise<Uint8Array>;
  /**
   * The same for rows that a worker already resized with `kerasResize` (height × width ×
   * channels float32 each, in plan order): normalization, layout and dtype only. `into`, when
   * large enough, gathers the rows (float32 output may then be a view of it, as with processBatch).
   * @throws {Img2npyError} `internal` when a row has the wrong length or the plan has no resize.
   */
  processResized(rows: readonly Float32Array[], into?: Float32Array): Promise<Uint8Array>;
}

/** torchvision's ImageNet statistics on the 0-1 scale, RGB order. */
const imagenetMean = [0.485, 0.456, 0.406];
const imagenetStd = [0.229, 0.224, 0.225];

const descrs = { uint8: '|u1', float32: '<f4', float16: '<f2' } as const;
const itemSizes = { uint8: 1, float32: 4, float16: 2 } as const;

/**
 * Builds the stage for one job.
 *
 * Normalizations: unit = x/255; symmetric = x/127.5 − 1; imagenet = (x/255 − mean)/std with
 * torchvision's RGB statistics (3 channels only); custom = (x/255 − mean)/std with mean and std on
 * the 0-1 scale, the same ops as imagenet so ImageNet's constants give imagenet's bytes exactly.
 * uint8 output of a bilinear (Keras) resize is clipped to 0-255 and rounded half to even; Keras
 * itself only yields float32 there.
 *
 * @example
 * const stage = createTensorStage(await loadBackend('auto'), {
 *   height: 224, width: 224, channels: 3, dtype: 'float32', normalize: 'unit', mean: null, std: null,
 *   layout: 'nhwc', resize: { method: 'bilinear', aspect: 'crop' },
 * });
 * const bytes = await stage.processBatch(images); // images.length × stage.rowBytes bytes
 * @throws {Img2npyError} `invalid-option` for a plan the stage cannot honour (see messages).
 */
export function createTensorStage(loaded: LoadedBackend | NoBackend, plan: TensorPlan): TensorStage {
  checkPlan(plan);
  if (!loaded.tf && needsTensorOps(plan)) {
    throw new Img2npyError('internal', `The tensor stage needs a tfjs backend for normalize ${plan.normalize}, layout ${plan.layout}`);
  }
  // null only for plans that never reach a tfjs call (checked just above).
  const tf = loaded.tf as Tf;
  const { height: h, width: w, channels: c } = plan;
  const rowLength = h * w * c;
  const scale = normalizer(plan);
  const identity = passesBytesThrough(plan);
  const needsTensors = needsTensorOps(plan);

  async function processBatch(images: readonly DecodedImage[], into?: Uint8Array, floats?: Float32Array): Promise<Uint8Array> {
    images.forEach(checkImage);
    if (images.length === 0) return new Uint8Array(0);
    // Nothing to compute: the rows are the decoded bytes.
    if (identity) return concatBytes(images, rowLength, into);
    const length = images.length * rowLength;
    const pixels = floats && floats.length >= length ? floats.subarray(0, length) : new Float32Array(length);
    if (plan.resize) {
      const resize = { height: h, width: w, ...plan.resize };
      images.forEach((img, i) => kerasResize(img, resize, pixels, i * rowLength));
    } else {
      images.forEach((img, i) => pixels.set(img.data, i * rowLength));
    }
    return finishPixels(pixels, images.length);
  }

  async function processResized(rows: readonly Float32Array[], into?: Float32Array): Promise<Uint8Array> {
    rows.forEach((row, i) => {
      if (!plan.resize || row.length !== rowLength) {
        throw new Img2npyError('internal', `Resized row ${i} has ${row.length} values; the tensor stage expects ${rowLength}${plan.resize ? '' : ' and a Keras resize plan'}`);
      }
    });
    if (rows.length === 0) return new Uint8Array(0);
    const length = rows.length * rowLength;
    const pixels = rows.length === 1 ? rows[0] : into && into.length >= length ? into.subarray(0, length) : new Float32Array(length);
    if (rows.length > 1) rows.forEach((row, i) => pixels.set(row, i * rowLength));
    return finishPixels(pixels, rows.length);
  }

  /** Normalization and layout on tfjs, then the final dtype: the part after any resize. */
  async function finishPixels(pixels: Float32Array, count: number): Promise<Uint8Array> {
    if (!needsTensors) return encode(pixels, plan.dtype);
    // A process may hold several stages (tests compare backends); tfjs has one active backend.
    if (tf.getBackend() !== loaded.name) await tf.setBackend(loaded.name);
    const x = tf.tidy(() => {
      const scaled = scale(tf.tensor4d(pixels, [count, h, w, c], 'float32'));
      return plan.layout === 'nchw' ? tf.transpose(scaled, [0, 3, 1, 2]) : scaled;
    });
    let values: Float32Array;
    try {
      values = (await x.data()) as Float32Array;
    } finally {
      x.dispose();
    }
    return encode(values, plan.dtype);
  }

  function checkImage(img: DecodedImage, i: number): void {
    const sized = plan.resize !== null || (img.height === h && img.width === w);
    if (img.channels !== c || !sized || img.data.length !== img.height * img.width * img.channels || img.height < 1 || img.width < 1) {
      throw new Img2npyError(
        'internal',
        `Image ${i} of the batch is ${img.height}x${img.width}x${img.channels} (${img.data.length} bytes); ` +
          `the tensor stage expects ${plan.resize ? 'any size' : `${h}x${w}`} with ${c} channels`,
      );
    }
  }

  /** The normalization as tfjs ops, written in the order of its formula so float32 rounding matches NumPy's. */
  function normalizer(p: TensorPlan): (x: Tensor4D) => Tensor4D {
    switch (p.normalize) {
      case 'none':
        return (x) => x;
      case 'unit':
        return (x) => tf.div(x, 255);
      case 'symmetric':
        return (x) => tf.sub(tf.div(x, 127.5), 1);
      case 'imagenet':
        return (x) => tf.div(tf.sub(tf.div(x, 255), tf.tensor1d(imagenetMean)), tf.tensor1d(imagenetStd));
      case 'custom': {
        const mean = p.mean as number[];
        const std = p.std as number[];
        return (x) => tf.div(tf.sub(tf.div(x, 255), tf.tensor1d(mean)), tf.tensor1d(std));
      }
    }
  }

  return {
    plan,
    rowShape: plan.layout === 'nchw' ? [c, h, w] : [h, w, c],
    descr: descrs[plan.dtype],
    rowBytes: rowLength * itemSizes[plan.dtype],
    passesBytesThrough: identity,
    processBatch,
    processResized,
  };
}

/**
 * True when x's rows are the decoded rows' bytes unchanged (uint8 nhwc, no normalisation, no
 * tensor-stage resize): the stage then only gathers them, and the decoder threads can check-sum
 * and sum each row for the writer (JobPlan.rowDigests).
 */
export function passesBytesThrough(plan: Pick<TensorPlan, 'resize' | 'normalize' | 'dtype' | 'layout'>): boolean {
  return plan.resize === null && plan.normalize === 'none' && plan.dtype === 'uint8' && plan.layout === 'nhwc';
}

/** Whether rows go through tfjs at all: Keras's own output (resized float32, nhwc, no normalisation) needs no tensor op. */
export function needsTensorOps(plan: Pick<TensorPlan, 'normalize' | 'layout'>): boolean {
  return plan.normalize !== 'none' || plan.layout === 'nchw';
}

function checkPlan(p: TensorPlan): void {
  const fail = (option: string, message: string): never => {
    throw new Img2npyError('invalid-option', message, { option });
  };
  for (const key of ['height', 'width'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) fail('size', `Expected a positive integer for ${key} but received ${p[key]}`);
  }
  if (![1, 3, 4].includes(p.channels)) fail('color', `Expected 1, 3 or 4 channels but received ${p.channels}`);
  if (p.normalize !== 'none' && p.dtype === 'uint8') {
    fail('dtype', `Expected float32 or float16 for dtype when normalize is ${p.normalize} but received "uint8" of type string`);
  }
  if (p.normalize === 'imagenet' && p.channels !== 3) {
    fail('normalize', `Expected color rgb (3 channels) for normalize imagenet but received ${p.channels} channels; use --normalize custom with --mean/--std`);
  }
  if (p.normalize === 'custom') {
    for (const key of ['mean', 'std'] as const) {
      const v = p[key];
      if (!v || (v.length !== 1 && v.length !== p.channels) || !v.every(Number.isFinite)) {
        fail(key, `Expected 1 or ${p.channels} finite numbers for ${key} with normalize custom but received ${JSON.stringify(v)}`);
      }
    }
    if ((p.std as number[]).some((s) => s === 0)) fail('std', `Expected non-zero numbers for std but received ${JSON.stringify(p.std)}`);
  }
}

function concatBytes(images: readonly DecodedImage[], rowLength: number, into?: Uint8Array): Uint8Array {
  const length = images.length * rowLength;
  const out = into && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
  images.forEach((img, i) => out.set(img.data, i * rowLength));
  return out;
}

/** Final dtype in JS: identical on every backend (tfjs's Round differs between cpu and wasm at .5). */
function encode(values: Float32Array, dtype: Dtype): Uint8Array {
  if (dtype === 'float16') return float16Bytes(float32ToFloat16Bits(values));
  if (dtype === 'float32') {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    if (hostIsLittleEndian) return bytes;
    const out = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 4) out.set([bytes[i + 3], bytes[i + 2], bytes[i + 1], bytes[i]], i);
    return out;
  }
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > 0)) continue; // also maps NaN to 0
    if (v >= 255) {
      out[i] = 255;
      continue;
    }
    const floor = Math.floor(v);
    const frac = v - floor;
    out[i] = frac > 0.5 || (frac === 0.5 && (floor & 1) === 1) ? floor + 1 : floor;
  }
  return out;
}
