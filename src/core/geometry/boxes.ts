/**
 * Box arithmetic for the geometry modes, as pure integer functions so the decoder (sharp), the
 * Keras-mode stage and the tests all agree on every pixel boundary.
 *
 * Keras and TensorFlow compute these boxes with float32 intermediates and truncate; we repeat
 * that arithmetic exactly (`f32`) instead of using exact rationals, because the point is to land
 * on the same rows and columns as `image_dataset_from_directory`, quirks included.
 */

/** A rectangle inside an image: rows [top, top + height), columns [left, left + width). */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

const f32 = Math.fround;

/** tf.cast(float32 → int32) truncates toward zero. */
const toInt32 = (v: number): number => Math.trunc(v);

function checkDims(fn: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) {
      throw new RangeError(`Expected integer between 1 and 2147483647 for ${name} in ${fn} but received ${v}`);
    }
  }
}

/** float32(a * b) / float32(c) in float32, as `tf.cast(x * t, "float32") / t2` computes it. */
function f32MulDiv(a: number, b: number, c: number): number {
  return f32(f32(a * b) / f32(c));
}

/**
 * The centred crop with the target's aspect ratio, as Keras's `smart_resize` and
 * `resize(..., crop_to_aspect_ratio=True)` (TensorFlow backend) compute it.
 *
 * @example
 * cropToAspectBox(340, 500, 200, 200); // { top: 0, left: 80, height: 340, width: 340 }
 * @throws {RangeError} when a dimension is not a positive integer
 */
export function cropToAspectBox(srcH: number, srcW: number, dstH: number, dstW: number): Box {
  checkDims('cropToAspectBox', { srcH, srcW, dstH, dstW });
  const height = Math.max(Math.min(srcH, toInt32(f32MulDiv(srcW, dstH, dstW))), 1);
  const width = Math.max(Math.min(srcW, toInt32(f32MulDiv(srcH, dstW, dstH))), 1);
  const top = toInt32(f32(f32(srcH - height) / 2));
  const left = toInt32(f32(f32(srcW - width) / 2));
  return { top, left, height, width };
}

/**
 * The canvas Keras's `resize(..., pad_to_aspect_ratio=True)` (TensorFlow backend) builds before
 * resizing: the image sits at (top, left) and the same number of fill rows (columns) goes on
 * both sides. So the canvas is `srcH + 2 * top` high, one row short of the exact aspect when the
 * difference is odd; that is Keras's arithmetic and we keep it.
 *
 * @example
 * padToAspectBox(11, 30, 1, 1); // { top: 9, left: 0, height: 29, width: 30 }
 * @throws {RangeError} when a dimension is not a positive integer
 */
export function padToAspectBox(srcH: number, srcW: number, dstH: number, dstW: number): Box & { canvasHeight: number; canvasWidth: number } {
  checkDims('padToAspectBox', { srcH, srcW, dstH, dstW });
  const padH = Math.max(srcH, toInt32(f32MulDiv(srcW, dstH, dstW)));
  const padW = Math.max(srcW, toInt32(f32MulDiv(srcH, dstW, dstH)));
  const top = toInt32(f32(f32(padH - srcH) / 2));
  const left = toInt32(f32(f32(padW - srcW) / 2));
  return { top, left, height: srcH, width: srcW, canvasHeight: srcH + 2 * top, canvasWidth: srcW + 2 * left };
}

/**
 * Where an image resized to fit inside dstH×dstW goes, as `tf.image.resize_with_pad` computes it
 * (Keras's `pad_to_aspect_ratio` in `image_dataset_from_directory`): a float32 ratio, floored
 * sizes, and offsets floored from the *unfloored* size. The float32 ratio can make a side one
 * pixel short (10×16 into 224×224 gives 140×223): faithful to TensorFlow. One deviation:
 * a side that would round to 0 is kept at 1 pixel, where TensorFlow fails.
 *
 * @example
 * fitInside(20, 40, 30, 30); // { top: 7, left: 0, height: 15, width: 30 }
 * @throws {RangeError} when a dimension is not a positive integer
 */
export function fitInside(srcH: number, srcW: number, dstH: number, dstW: number): Box {
  checkDims('fitInside', { srcH, srcW, dstH, dstW });
  const ratio = Math.max(f32(f32(srcW) / f32(dstW)), f32(f32(srcH) / f32(dstH)));
  const hF = f32(f32(srcH) / ratio);
  const wF = f32(f32(srcW) / ratio);
  const height = Math.min(dstH, Math.max(1, Math.floor(hF)));
  const width = Math.min(dstW, Math.max(1, Math.floor(wF)));
  const top = Math.max(0, Math.floor(f32(f32(f32(dstH) - hF) / 2)));
  const left = Math.max(0, Math.floor(f32(f32(f32(dstW) - wF) / 2)));
  // The clamp keeps a 1-pixel side inside the canvas; TensorFlow never gets here.
  return { top: Math.min(top, dstH - height), left: Math.min(left, dstW - width), height, width };
}

/**
 * Offsets of an h×w image on an H×W canvas: centred (floor, extra row/column after the image),
 * or at the top-left corner.
 *
 * @example
 * padOffsets(3, 4, 8, 8, 'center'); // { top: 2, left: 2 }
 * @throws {RangeError} when the image does not fit on the canvas
 */
export function padOffsets(h: number, w: number, H: number, W: number, position: 'center' | 'top-left'): { top: number; left: number } {
  checkDims('padOffsets', { h, w, H, W });
  if (h > H || w > W) throw new RangeError(`Expected an image no larger than the ${H}x${W} canvas but received ${h}x${w}`);
  if (position === 'top-left') return { top: 0, left: 0 };
  return { top: Math.floor((H - h) / 2), left: Math.floor((W - w) / 2) };
}
