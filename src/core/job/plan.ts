/**
 * Decides, once per job, which stage does what: which files the scan takes and in what order,
 * whether geometry happens in the decoder (sharp, antialiased, fast) or in the tensor stage
 * (tf.image semantics, Keras-exact), and what is not exact with the tool being matched.
 */
import { resolve } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { type ConvertOptions, defaultExtensions, kerasExtensions } from '../../shared/options.js';
import { resolveOptions } from '../../shared/validate-options.js';
import type { DecodePlan, ScanOptions } from '../types.js';
import { passesBytesThrough } from '../tensor/stage.js';

export interface TensorResize {
  method: 'bilinear' | 'nearest';
  aspect: 'stretch' | 'crop' | 'pad';
}

export interface JobPlan {
  options: ConvertOptions;
  scan: ScanOptions;
  decode: DecodePlan;
  channels: 1 | 3 | 4;
  /** Set when the tensor stage resizes full decoded images (Keras-exact, or antialias off). */
  tensorResize: TensorResize | null;
  /** resize 'none': sizes vary, every image is padded to the largest one found. */
  padToLargest: boolean;
  notExact: string[];
  warnings: string[];
  /**
   * The threads' rows are x's bytes as written (see passesBytesThrough): each comes with its
   * CRC-32 and channel sums (RowDigest), so this thread never reads or copies x's bytes.
   */
  rowDigests: boolean;
}

/**
 * Validates options (the one place) and turns them into a plan.
 * @throws Img2npyError `invalid-option` listing every problem.
 */
export function resolveJobOptions(options: Partial<ConvertOptions>): ConvertOptions {
  const resolved = resolveOptions([options]);
  if (!resolved.ok) {
    throw new Img2npyError('invalid-option', resolved.issues.map((i) => i.message).join('\n'), { option: resolved.issues[0]?.option });
  }
  return resolved.value;
}

export function planJob(input: string, options: ConvertOptions): JobPlan {
  const keras = options.like === 'keras';
  const channels = options.color === 'grayscale' ? 1 : options.color === 'rgba' ? 4 : 3;
  const notExact: string[] = [];
  const warnings: string[] = [];
  const labels = ['auto', 'inferred', 'none'].includes(options.labels) ? options.labels : resolve(input, options.labels);
  const scan: ScanOptions = {
    extensions: keras ? kerasExtensions : defaultExtensions,
    followLinks: options.followLinks,
    order: keras ? 'keras' : 'default',
    labels,
    classNames: options.classNames,
    labelColumn: options.labelColumn,
    splitFolders: options.splitFolders,
    splits: options.splits,
  };

  const tfKernel = options.interpolation === 'bilinear' || options.interpolation === 'nearest';
  const padToLargest = options.resize === 'none';
  let tensorResize: TensorResize | null = null;
  if (!padToLargest && (keras || !options.antialias)) {
    if (tfKernel) {
      tensorResize = { method: options.interpolation as 'bilinear' | 'nearest', aspect: options.resize as TensorResize['aspect'] };
    } else if (keras) {
      notExact.push(`${options.interpolation} resize runs in sharp (antialiased): not Keras-exact; Keras-exact kernels are bilinear and nearest`);
    } else {
      warnings.push(`antialias off is available for bilinear and nearest only; ${options.interpolation} resize is antialiased`);
    }
  }
  if (tensorResize && tensorResize.aspect === 'pad' && options.padValue !== 0) {
    warnings.push(`pad-value ${options.padValue} is ignored when the tensor stage pads (antialias off or Keras mode): Keras pads with 0`);
  }
  if (keras) {
    if (options.exif) notExact.push('EXIF orientation applied: Keras ignores it');
    if (options.alpha !== 'drop') notExact.push(`alpha ${options.alpha}: Keras drops alpha`);
    if (options.normalize !== 'none' || options.dtype !== 'float32') {
      notExact.push(`dtype ${options.dtype} / normalize ${options.normalize}: Keras yields float32 0-255`);
    }
  }

  const geometry =
    tensorResize || padToLargest
      ? null
      : {
          height: options.size!.height,
          width: options.size!.width,
          mode: options.resize as 'stretch' | 'crop' | 'pad',
          interpolation: options.interpolation,
          antialias: true,
          padValue: options.padValue,
        };
  const decode: DecodePlan = {
    channels,
    alpha: options.alpha,
    exif: options.exif,
    maxPixels: options.maxPixels,
    geometry,
    // DCT-domain shrink-on-load changes pixels slightly; only the antialiased path allows it.
    fastShrink: geometry !== null,
    // TensorFlow's decode_jpeg default is libjpeg's IFAST DCT; PIL's (and ours) ISLOW.
    jpegDct: keras ? 'fast' : 'accurate',
    allowDamaged: options.allowDamaged,
  };
  const rowDigests = passesBytesThrough({ resize: tensorResize, normalize: options.normalize, dtype: options.dtype, layout: options.layout });
  return { options, scan, decode, channels, tensorResize, padToLargest, notExact, warnings, rowDigests };
}
