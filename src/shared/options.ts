/**
 * The one option schema. CLI flags, the app's option panel, preset validation and the engine's
 * defaults are all derived from `optionSpecs`; a default is written here and nowhere else.
 * No Node or Electron imports: the renderer reads this file too.
 */

export const likeModes = ['none', 'keras'] as const;
export const resizeModes = ['stretch', 'crop', 'pad', 'none'] as const;
export const interpolations = ['nearest', 'bilinear', 'bicubic', 'area', 'lanczos3'] as const;
export const padPositions = ['center', 'top-left'] as const;
export const colorModes = ['rgb', 'grayscale', 'rgba'] as const;
export const alphaModes = ['drop', 'white', 'black'] as const;
export const dtypes = ['uint8', 'float32', 'float16'] as const;
export const normalizations = ['none', 'unit', 'symmetric', 'imagenet', 'custom'] as const;
export const layouts = ['nhwc', 'nchw'] as const;
export const labelModes = ['int', 'categorical', 'binary'] as const;
export const subsets = ['training', 'validation', 'both'] as const;
export const formats = ['auto', 'npz', 'npy'] as const;
export const backendNames = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;

export type LikeMode = (typeof likeModes)[number];
export type ResizeMode = (typeof resizeModes)[number];
export type Interpolation = (typeof interpolations)[number];
export type PadPosition = (typeof padPositions)[number];
export type ColorMode = (typeof colorModes)[number];
export type AlphaMode = (typeof alphaModes)[number];
export type Dtype = (typeof dtypes)[number];
export type Normalization = (typeof normalizations)[number];
export type Layout = (typeof layouts)[number];
export type LabelMode = (typeof labelModes)[number];
export type Subset = (typeof subsets)[number];
export type OutputFormat = (typeof formats)[number];
export type BackendName = (typeof backendNames)[number];

export interface Size {
  height: number;
  width: number;
}

/** Every option of a conversion. `null` means "not set": the engine derives a value. */
export interface ConvertOptions {
  like: LikeMode;
  size: Size | null;
  resize: ResizeMode;
  interpolation: Interpolation;
  antialias: boolean;
  padValue: number;
  padPosition: PadPosition;
  color: ColorMode;
  alpha: AlphaMode;
  exif: boolean;
  maxPixels: number;
  dtype: Dtype;
  normalize: Normalization;
  mean: number[] | null;
  std: number[] | null;
  layout: Layout;
  /**
   * 'auto' (a metadata.csv / metadata.jsonl at the root if there is one, else folders),
   * 'inferred' (from folders), 'none' (no y), or the path of a .csv / .tsv / .jsonl labels file.
   */
  labels: string;
  /** Header name of the label column in a labels file; null = label|class|category|target. */
  labelColumn: string | null;
  /** Root sub-folders named train/val/test... are splits (false: they are classes). */
  splitFolders: boolean;
  /** Which split folders to convert (folder names, any case); null = all. */
  splits: string[] | null;
  labelMode: LabelMode;
  classNames: string[] | null;
  shuffle: boolean;
  seed: number | null;
  validationSplit: number;
  /** Fractions for train,val or train,val,test; null = no generated split (see validationSplit). */
  split: number[] | null;
  stratify: boolean;
  dedupe: boolean;
  subset: Subset;
  batchSize: number;
  dropRemainder: boolean;
  shardSize: number | null;
  format: OutputFormat;
  compress: boolean;
  followLinks: boolean;
  strict: boolean;
  allowDamaged: boolean;
  backend: BackendName;
  jobs: number | null;
}

export type OptionKey = keyof ConvertOptions;

export const optionGroups = ['geometry', 'colour', 'tensor', 'labels', 'split', 'output', 'engine'] as const;
export type OptionGroup = (typeof optionGroups)[number];

interface SpecBase<K extends OptionKey> {
  key: K;
  /** Long CLI flag without dashes; booleans also get `--no-<flag>`. */
  flag: string;
  label: string;
  help: string;
  group: OptionGroup;
  default: ConvertOptions[K];
}

export type OptionSpec =
  | (SpecBase<OptionKey> & { kind: 'enum'; choices: readonly string[] })
  | (SpecBase<OptionKey> & { kind: 'int'; min: number; max: number; nullable: boolean })
  | (SpecBase<OptionKey> & { kind: 'number'; min: number; max: number; exclusiveMax?: boolean })
  | (SpecBase<OptionKey> & { kind: 'boolean' })
  | (SpecBase<OptionKey> & { kind: 'size' })
  | (SpecBase<OptionKey> & { kind: 'numbers'; minLength: number; maxLength: number })
  | (SpecBase<OptionKey> & { kind: 'labels' })
  | (SpecBase<OptionKey> & { kind: 'strings' })
  | (SpecBase<OptionKey> & { kind: 'text'; nullable: true });

/** sharp's own default input limit (16383 × 16383). */
const defaultMaxPixels = 0x3fff * 0x3fff;

export const optionSpecs: readonly OptionSpec[] = [
  { key: 'like', kind: 'enum', choices: likeModes, default: 'none', flag: 'like', group: 'geometry', label: 'Match',
    help: "Use another tool's defaults and semantics exactly: keras = image_dataset_from_directory" },
  { key: 'size', kind: 'size', default: null, flag: 'size', group: 'geometry', label: 'Size (HxW)',
    help: 'Target height x width, e.g. 224x224; required unless --resize none' },
  { key: 'resize', kind: 'enum', choices: resizeModes, default: 'stretch', flag: 'resize', group: 'geometry', label: 'Resize',
    help: 'stretch to HxW; crop centre to the aspect then resize; pad: fit inside then pad; none: pad all to the largest image' },
  { key: 'interpolation', kind: 'enum', choices: interpolations, default: 'bilinear', flag: 'interpolation', group: 'geometry', label: 'Interpolation',
    help: 'Resampling kernel' },
  { key: 'antialias', kind: 'boolean', default: true, flag: 'antialias', group: 'geometry', label: 'Antialias',
    help: 'Low-pass when downscaling (off = TensorFlow tf.image.resize default)' },
  { key: 'padValue', kind: 'number', min: 0, max: 255, default: 0, flag: 'pad-value', group: 'geometry', label: 'Pad value',
    help: 'Fill value for padding, on the 0-255 pixel scale' },
  { key: 'padPosition', kind: 'enum', choices: padPositions, default: 'center', flag: 'pad-position', group: 'geometry', label: 'Pad position',
    help: 'Where images sit inside the padded canvas with --resize none' },
  { key: 'color', kind: 'enum', choices: colorModes, default: 'rgb', flag: 'color', group: 'colour', label: 'Colour',
    help: 'Channels: rgb = 3, grayscale = 1, rgba = 4' },
  { key: 'alpha', kind: 'enum', choices: alphaModes, default: 'drop', flag: 'alpha', group: 'colour', label: 'Alpha into RGB',
    help: 'How transparency becomes rgb/grayscale: drop it (as TensorFlow does), or composite over white or black' },
  { key: 'exif', kind: 'boolean', default: true, flag: 'exif', group: 'colour', label: 'EXIF rotation',
    help: 'Apply EXIF orientation (--no-exif ignores it, as TensorFlow does)' },
  { key: 'maxPixels', kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, nullable: false, default: defaultMaxPixels, flag: 'max-pixels', group: 'colour', label: 'Max pixels',
    help: 'Refuse images with more pixels than this (decompression bombs); 0 = no limit' },
  { key: 'dtype', kind: 'enum', choices: dtypes, default: 'uint8', flag: 'dtype', group: 'tensor', label: 'dtype',
    help: 'Element type of x' },
  { key: 'normalize', kind: 'enum', choices: normalizations, default: 'none', flag: 'normalize', group: 'tensor', label: 'Normalize',
    help: 'none; unit = x/255; symmetric = x/127.5-1; imagenet = (x/255-mean)/std; custom = (x/255-mean)/std with --mean/--std' },
  { key: 'mean', kind: 'numbers', minLength: 1, maxLength: 4, default: null, flag: 'mean', group: 'tensor', label: 'Mean',
    help: "Per-channel mean on the 0-1 scale, as torchvision's Normalize takes it, e.g. 0.485,0.456,0.406 (implies --normalize custom; values above 1 are refused)" },
  { key: 'std', kind: 'numbers', minLength: 1, maxLength: 4, default: null, flag: 'std', group: 'tensor', label: 'Std',
    help: 'Per-channel standard deviation on the 0-1 scale, e.g. 0.229,0.224,0.225 (implies --normalize custom; values above 1 are refused)' },
  { key: 'layout', kind: 'enum', choices: layouts, default: 'nhwc', flag: 'layout', group: 'tensor', label: 'Layout',
    help: 'Axis order of x' },
  { key: 'labels', kind: 'labels', default: 'auto', flag: 'labels', group: 'labels', label: 'Labels',
    help: 'auto (metadata.csv/.jsonl at the root, else folders), inferred (folders), none (no y), or a .csv/.tsv/.jsonl file (relative to the input folder)' },
  { key: 'labelColumn', kind: 'text', nullable: true, default: null, flag: 'label-column', group: 'labels', label: 'Label column',
    help: 'Label column of a labels file with a header (default: label, class, category or target)' },
  { key: 'splitFolders', kind: 'boolean', default: true, flag: 'split-folders', group: 'labels', label: 'Split folders',
    help: 'Root folders named train, val, valid, test... are splits, one output each (--no-split-folders: they are classes)' },
  { key: 'splits', kind: 'strings', default: null, flag: 'splits', group: 'labels', label: 'Splits',
    help: 'Which split folders to convert, comma separated, e.g. train,test (default: all)' },
  { key: 'labelMode', kind: 'enum', choices: labelModes, default: 'int', flag: 'label-mode', group: 'labels', label: 'Label mode',
    help: 'int = int32 index; categorical = float32 one-hot; binary = float32 (N,1), two classes' },
  { key: 'classNames', kind: 'strings', default: null, flag: 'class-names', group: 'labels', label: 'Class names',
    help: 'Explicit class order, comma separated (default: sorted folder names)' },
  { key: 'shuffle', kind: 'boolean', default: false, flag: 'shuffle', group: 'split', label: 'Shuffle',
    help: 'Shuffle samples (reproducible with --seed); on by default when splitting, --no-shuffle splits in file order' },
  { key: 'seed', kind: 'int', min: 0, max: 2 ** 32 - 1, nullable: true, default: null, flag: 'seed', group: 'split', label: 'Seed',
    help: 'Random seed for shuffle and split; drawn and reported when not given' },
  { key: 'validationSplit', kind: 'number', min: 0, max: 1, exclusiveMax: true, default: 0, flag: 'validation-split', group: 'split', label: 'Validation split',
    help: 'Fraction held out for validation; writes *-train and *-val outputs (Keras-compatible)' },
  { key: 'split', kind: 'numbers', minLength: 2, maxLength: 3, default: null, flag: 'split', group: 'split', label: 'Split',
    help: 'Fractions for train,val[,test] summing to 1, e.g. 0.8,0.1,0.1; writes *-train, *-val[, *-test]' },
  { key: 'stratify', kind: 'boolean', default: false, flag: 'stratify', group: 'split', label: 'Stratify',
    help: "Keep every class's share in every split (within one image)" },
  { key: 'dedupe', kind: 'boolean', default: false, flag: 'dedupe', group: 'split', label: 'Dedupe',
    help: 'Drop later copies of identical files that would land in more than one split (listed)' },
  { key: 'subset', kind: 'enum', choices: subsets, default: 'both', flag: 'subset', group: 'split', label: 'Subset',
    help: 'Which side of the split to write' },
  { key: 'batchSize', kind: 'int', min: 1, max: 65536, nullable: false, default: 32, flag: 'batch-size', group: 'split', label: 'Batch size',
    help: 'Images per tensor batch' },
  { key: 'dropRemainder', kind: 'boolean', default: false, flag: 'drop-remainder', group: 'split', label: 'Drop remainder',
    help: 'Drop the final partial batch' },
  { key: 'shardSize', kind: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, nullable: true, default: null, flag: 'shard-size', group: 'output', label: 'Shard size',
    help: 'Write shards of N samples: name-00000-of-00004.npz' },
  { key: 'format', kind: 'enum', choices: formats, default: 'auto', flag: 'format', group: 'output', label: 'Format',
    help: 'npz file, or npy = a folder of .npy files; auto = npz when --out ends in .npz' },
  { key: 'compress', kind: 'boolean', default: false, flag: 'compress', group: 'output', label: 'Compress',
    help: 'DEFLATE the .npz entries' },
  { key: 'followLinks', kind: 'boolean', default: false, flag: 'follow-links', group: 'engine', label: 'Follow links',
    help: 'Follow symbolic links while scanning' },
  { key: 'strict', kind: 'boolean', default: false, flag: 'strict', group: 'engine', label: 'Strict',
    help: 'Fail on the first unreadable image instead of skipping it' },
  { key: 'allowDamaged', kind: 'boolean', default: false, flag: 'allow-damaged', group: 'engine', label: 'Allow damaged',
    help: 'Keep JPEGs that decode only with corruption warnings (listed as damaged) instead of skipping them' },
  { key: 'backend', kind: 'enum', choices: backendNames, default: 'auto', flag: 'backend', group: 'engine', label: 'Backend',
    help: 'TensorFlow.js backend: auto (wasm, else cpu), wasm, cpu, or tensorflow (@tensorflow/tfjs-node[-gpu] if installed)' },
  { key: 'jobs', kind: 'int', min: 1, max: 256, nullable: true, default: null, flag: 'jobs', group: 'engine', label: 'Jobs',
    help: 'Decoder threads (default: CPU cores)' },
];

export function specFor(key: OptionKey): OptionSpec {
  const spec = optionSpecs.find((s) => s.key === key);
  if (!spec) throw new Error(`Unknown option ${key}`);
  return spec;
}

export function defaultOptions(): ConvertOptions {
  const out: Record<string, unknown> = {};
  for (const spec of optionSpecs) {
    out[spec.key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out as unknown as ConvertOptions;
}

/**
 * Defaults of `keras.utils.image_dataset_from_directory`, applied when `like: 'keras'` for every
 * option the user did not set. Keras's own default seed is random; ours too (and reported).
 */
export const kerasDefaults: Partial<ConvertOptions> = {
  size: { height: 256, width: 256 },
  resize: 'stretch',
  interpolation: 'bilinear',
  antialias: false,
  exif: false,
  alpha: 'drop',
  dtype: 'float32',
  normalize: 'none',
  layout: 'nhwc',
  shuffle: true,
  labelMode: 'int',
};

/** Image extensions each discovery mode accepts (lower case, with dot). */
export const defaultExtensions = ['.jpg', '.jpeg', '.png', '.gif', '.bmp', '.webp', '.tif', '.tiff', '.avif'] as const;
export const kerasExtensions = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'] as const;
