/**
 * Keras-identical resizing (like: 'keras'): the geometry of `image_dataset_from_directory`
 * (format 'tf', its default) restated as pure integer/float32 box arithmetic, and TensorFlow's
 * resize kernels that apply it. TensorFlow computes these boxes on float32 tensors, so every
 * step below rounds to float32 (Math.fround) where TF would; a float64 restatement differs by
 * one pixel on some sizes (300×333 → 224×224 with pad: TF resizes to 201×223, not 201×224).
 */
import type { DecodedImage } from '../types.js';

export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** `cast(x, int32)` of a float32: truncation toward zero. */
const toInt = (x: number): number => Math.trunc(x);
const f32 = Math.fround;

/**
 * The centred crop of `keras.utils.smart_resize` (crop_to_aspect_ratio=True) as it runs inside
 * image_dataset_from_directory, where image sizes are tensors: float32 division, truncation.
 *
 * @example
 * kerasCropBox(375, 500, 224, 224) // { top: 0, left: 62, height: 375, width: 375 }
 */
export function kerasCropBox(height: number, width: number, targetHeight: number, targetWidth: number): Box {
  const cropHeight = Math.max(Math.min(height, toInt(f32(f32(width * targetHeight) / targetWidth))), 1);
  const cropWidth = Math.max(Math.min(width, toInt(f32(f32(height * targetWidth) / targetHeight))), 1);
  return {
    top: toInt(f32(height - cropHeight) / 2),
    left: toInt(f32(width - cropWidth) / 2),
    height: cropHeight,
    width: cropWidth,
  };
}

/**
 * `tf.image.resize_with_pad`, which image_dataset_from_directory uses for pad_to_aspect_ratio:
 * resize to fit inside the target keeping the aspect (floor of float32 sizes), then zero-pad to
 * the target with the image at `top`/`left`. Keras would fail on a size that floors to 0; we use
 * 1 (only for aspect ratios beyond target × size, e.g. 1×1000 into 224×224).
 *
 * @example
 * tfResizeWithPadBox(375, 500, 224, 224) // { top: 28, left: 0, height: 168, width: 224 }
 * tfResizeWithPadBox(300, 333, 224, 224) // { top: 11, left: 0, height: 201, width: 223 }: float32
 */
export function tfResizeWithPadBox(height: number, width: number, targetHeight: number, targetWidth: number): Box {
  const ratio = Math.max(f32(width / targetWidth), f32(height / targetHeight));
  const resizedHeight = f32(height / ratio);
  const resizedWidth = f32(width / ratio);
  return {
    top: Math.max(0, Math.floor(f32(targetHeight - resizedHeight) / 2)),
    left: Math.max(0, Math.floor(f32(targetWidth - resizedWidth) / 2)),
    height: Math.max(1, Math.floor(resizedHeight)),
    width: Math.max(1, Math.floor(resizedWidth)),
  };
}

/**
 * Padding of `keras.ops.image.resize(..., pad_to_aspect_ratio=True)` on the TensorFlow backend
 * (Keras's grain loader and the Resizing layer, not image_dataset_from_directory): the same
 * start offset on both sides, so an odd difference loses a row. The image is then resized.
 *
 * @example
 * kerasPadToAspectBox(375, 500, 224, 224) // { top: 62, bottom: 62, left: 0, right: 0 }
 */
export function kerasPadToAspectBox(
  height: number,
  width: number,
  targetHeight: number,
  targetWidth: number,
): { top: number; bottom: number; left: number; right: number } {
  const padHeight = Math.max(height, toInt(f32(f32(width * targetHeight) / targetWidth)));
  const padWidth = Math.max(width, toInt(f32(f32(height * targetWidth) / targetHeight)));
  const top = toInt(f32(padHeight - height) / 2);
  const left = toInt(f32(padWidth - width) / 2);
  return { top, bottom: top, left, right: left };
}

/**
 * Source index of every output row (or column) for TF's ResizeNearestNeighbor with
 * half_pixel_centers=True: floor((x + 0.5) · (in/out)) in float32, clamped to [0, in − 1].
 * Computed here rather than by tfjs's kernel because the cpu backend does it in float64 and can
 * pick the neighbouring pixel where the product lands on an integer.
 *
 * @example
 * nearestIndices(4, 7) // [0, 0, 1, 2, 2, 3, 3]
 */
export function nearestIndices(inSize: number, outSize: number): Int32Array {
  const scale = f32(inSize / outSize);
  const out = new Int32Array(outSize);
  for (let x = 0; x < outSize; x++) out[x] = Math.max(0, Math.min(inSize - 1, Math.floor(f32((x + 0.5) * scale))));
  return out;
}

/**
 * Taps of TF's ResizeBilinear with half_pixel_centers=True along one axis, in float32 as its CPU
 * kernel computes them: in = (x + 0.5) · (in/out) − 0.5; lower = max(floor(in), 0);
 * upper = min(ceil(in), size − 1); lerp = in − floor(in).
 *
 * @example
 * bilinearTaps(2, 4) // lower [0, 0, 0, 1], upper [0, 1, 1, 1], lerp [0.75, 0.25, 0.75, 0.25]
 */
export function bilinearTaps(inSize: number, outSize: number): { lower: Int32Array; upper: Int32Array; lerp: Float32Array } {
  const scale = f32(inSize / outSize);
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const lerp = new Float32Array(outSize);
  for (let x = 0; x < outSize; x++) {
    const at = f32(f32((x + 0.5) * scale) - 0.5);
    const floor = Math.floor(at);
    lower[x] = Math.max(floor, 0);
    upper[x] = Math.min(Math.ceil(at), inSize - 1);
    lerp[x] = at - floor;
  }
  return { lower, upper, lerp };
}

export interface KerasResize {
  height: number;
  width: number;
  method: 'bilinear' | 'nearest';
  aspect: 'stretch' | 'crop' | 'pad';
}

/**
 * Resizes one decoded image as image_dataset_from_directory would (crop = smart_resize, pad =
 * resize_with_pad, stretch = tf.image.resize; half-pixel centres, no antialias) and writes the
 * float32 result, height × width × channels, into `out` at `offset`. Padding is written as 0.
 *
 * This is TensorFlow's CPU kernel restated in JS with float32 rounding at each step, not a tfjs
 * op: tfjs's wasm resizeBilinear (XNNPACK) places its samples with another float32 formula and
 * lands up to 0.004 (on 0-255) from TensorFlow and from tfjs's cpu backend; tfjs's cpu nearest
 * computes its indices in float64; and tf.gather-based restatements ran at 6 images/s. Here
 * every backend gets TensorFlow's numbers, in a few ms per 375×500 image.
 *
 * @example
 * const out = new Float32Array(224 * 224 * 3);
 * kerasResize(image, { height: 224, width: 224, method: 'bilinear', aspect: 'crop' }, out, 0);
 */
export function kerasResize(image: DecodedImage, r: KerasResize, out: Float32Array, offset: number): void {
  const { width: w, channels: c, data } = image;
  const crop = r.aspect === 'crop' ? kerasCropBox(image.height, w, r.height, r.width) : { top: 0, left: 0, height: image.height, width: w };
  const fit = r.aspect === 'pad' ? tfResizeWithPadBox(image.height, w, r.height, r.width) : { top: 0, left: 0, height: r.height, width: r.width };
  const outRow = r.width * c;
  const fitRow = fit.width * c;
  const base = offset + fit.top * outRow + fit.left * c;
  if (r.aspect === 'pad') out.fill(0, offset, offset + r.height * outRow);
  const rowStart = (y: number) => ((crop.top + y) * w + crop.left) * c; // first byte of crop row y
  if (r.method === 'nearest') {
    const ys = nearestIndices(crop.height, fit.height);
    const xs = nearestIndices(crop.width, fit.width).map((x) => x * c);
    for (let y = 0; y < fit.height; y++) {
      const o = base + y * outRow;
      // Upscaling repeats source rows: copy the previous output row instead of gathering again.
      if (y > 0 && ys[y] === ys[y - 1]) {
        out.copyWithin(o, o - outRow, o - outRow + fitRow);
        continue;
      }
      const src = rowStart(ys[y]);
      for (let x = 0, j = o; x < fit.width; x++) {
        for (let k = 0, p = src + xs[x]; k < c; k++) out[j++] = data[p + k];
      }
    }
    return;
  }
  const ys = bilinearTaps(crop.height, fit.height);
  const xs = bilinearTaps(crop.width, fit.width);
  const lefts = xs.lower.map((x) => x * c);
  const rights = xs.upper.map((x) => x * c);
  const f = Math.fround;
  for (let y = 0; y < fit.height; y++) {
    const top = rowStart(ys.lower[y]);
    const bottom = rowStart(ys.upper[y]);
    const yLerp = ys.lerp[y];
    let o = base + y * outRow;
    for (let x = 0; x < fit.width; x++) {
      const left = lefts[x];
      const right = rights[x];
      const xLerp = xs.lerp[x];
      for (let k = 0; k < c; k++) {
        // TF's compute_lerp, each operation rounded to float32 as in its C++ (the last by the store).
        const tl = data[top + left + k];
        const bl = data[bottom + left + k];
        const t = f(tl + f((data[top + right + k] - tl) * xLerp));
        const b = f(bl + f((data[bottom + right + k] - bl) * xLerp));
        out[o++] = t + f(f(b - t) * yLerp);
      }
    }
  }
}
