/** What a finished job, a scan, a preview and an inspection return: plain data for every shell. */
import type { BackendName, ConvertOptions } from './options.js';
import type { ErrorCode } from './errors.js';

export interface SkippedFile {
  /** Path relative to the input folder. */
  file: string;
  code: ErrorCode;
  reason: string;
}

/** A file kept although damaged (--allow-damaged): its rows hold what could be decoded. */
export interface DamagedFile {
  /** Path relative to the input folder. */
  file: string;
  /** What the decoder reported, e.g. libjpeg's "Corrupt JPEG data: premature end of data segment". */
  reason: string;
}

export interface ArrayInfo {
  name: string;
  shape: number[];
  /** NumPy descr, e.g. '|u1', '<f4', '<i4', '<U12'. */
  descr: string;
  /** Friendly dtype: uint8, float32, int32, str... */
  dtype: string;
}

export interface OutputInfo {
  /** 'all', a generated split ('train', 'val', 'test') or a split folder's name as it is. */
  subset: string;
  path: string;
  /** Shard files when --shard-size split the output; otherwise [path]. */
  files: string[];
  samples: number;
  arrays: ArrayInfo[];
  bytes: number;
  /** Per-channel statistics of x as written, gathered while streaming; null for an empty output. */
  stats?: ChannelStats | null;
}

/** Per-channel mean and population standard deviation (NumPy's ddof=0) of x, in float64. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

export interface ConvertReport {
  jobId: string;
  input: string;
  options: ConvertOptions;
  /** The seed actually used (drawn when options.seed was null and shuffling or splitting). */
  seed: number | null;
  /** 'none': the rows needed no tensor operation (uint8 or plain float, nhwc), so tfjs was never loaded. */
  backend: Exclude<BackendName, 'auto'> | 'none';
  /** Names of the backend package when it was the tensorflow one, e.g. @tensorflow/tfjs-node-gpu. */
  backendDetail: string;
  classNames: string[];
  countsPerClass: Record<string, number>;
  emptyClasses: string[];
  outputs: OutputInfo[];
  manifest: string;
  skipped: SkippedFile[];
  /** Files kept although damaged (--allow-damaged), in output order. */
  damaged: DamagedFile[];
  warnings: string[];
  /** Final x shape of the whole job (before splitting), e.g. [N, H, W, C]. */
  shape: number[];
  /** Operations that are not bit-exact with the `like` tool, e.g. "lanczos3 resize is not Keras-exact". */
  notExact: string[];
  /** Decoder per image format found, e.g. { JPEG: 'libjpeg-turbo (TurboJPEG, libturbojpeg.so.0); sharp … for 12-bit …' }. */
  decoders?: Record<string, string>;
  timings: { scanMs: number; convertMs: number; totalMs: number };
  imagesPerSecond: number;
  versions: Record<string, string>;
}

export interface ScanSummary {
  root: string;
  classNames: string[];
  countsPerClass: Record<string, number>;
  emptyClasses: string[];
  total: number;
  /** Extension (lower case, no dot) → count. */
  formats: Record<string, number>;
  /** Files that will not be converted and why (root-level files, unsupported extensions, ...). */
  ignored: SkippedFile[];
  warnings: string[];
  /** What the input holds, as detected (always set by the engine): the app and `img2npy scan` show it. */
  layout?: ScanLayoutSummary;
}

export interface ScanLayoutSummary {
  /** class folders (root/<class>/...), split folders (root/train/<class>/...), a labels file, or flat (labels none). */
  kind: 'class-folders' | 'split-folders' | 'metadata-file' | 'flat';
  /** The archive read (.zip, .tar, .tar.gz, .tgz) when the input is one; else null. */
  archive: string | null;
  /** The labels file used (given, or a metadata.csv / metadata.jsonl found), else null. */
  labelsFile: string | null;
  /** Each split folder, in output order, with its counts (empty without split folders). */
  splits: { name: string; total: number; countsPerClass: Record<string, number> }[];
  /** Extra columns of the labels file, each written as its own array. */
  metaColumns: { column: string; name: string; dtype: 'int64' | 'float64' | 'str' }[];
  /** What was found and how it will be used, in words (announced before converting). */
  notes: string[];
}

export interface PreviewItem {
  file: string;
  className: string | null;
  width: number;
  height: number;
  channels: number;
  /** A PNG of the transformed image, as a data: URL the renderer can show under its CSP. */
  dataUrl: string | null;
  error: SkippedFile | null;
  /** The file's own size, from its header (before any resize); null when unreadable. */
  original?: { width: number; height: number } | null;
}

export interface PreviewResult {
  items: PreviewItem[];
  /** Final shape of x for the whole folder, from the scan and the options. */
  shape: number[];
  dtype: string;
  estimatedBytes: number;
  backend: string;
}

export interface InspectedArray extends ArrayInfo {
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface InspectResult {
  path: string;
  arrays: InspectedArray[];
  classNames: string[] | null;
  countsPerClass: Record<string, number> | null;
  /** Sample tiles: image as PNG data URL with its label. */
  samples: { index: number; label: string | null; dataUrl: string }[];
  /** Per-channel statistics of x: from the output's manifest when it matches, else computed. */
  channelStats?: (ChannelStats & { source: 'manifest' | 'computed' }) | null;
}

/** What `img2npy scan` (a dry run) finds: nothing decoded beyond headers, nothing written. */
export interface DryRunReport {
  summary: ScanSummary;
  /** Files whose header was read. */
  probed: number;
  /** Files the header probe says a conversion would skip, with the reason (truncated data shows only when decoding). */
  skipped: SkippedFile[];
  /** Largest image found by the header probe (after EXIF rotation when it is applied); null when none could be read. */
  largest: { height: number; width: number } | null;
  /** Final x shape of the whole job, e.g. [N, H, W, C]; null when --size is missing and the images are not padded. */
  shape: number[] | null;
  dtype: string;
  layout: string;
  /**
   * Outputs as convert would write them: subset, path and shard files (null without --out),
   * samples, bytes (stored, uncompressed) and arrays (as the manifest lists them; null without a shape).
   */
  outputs: { subset: string; path: string | null; files: string[] | null; samples: number; shards: number; bytes: number | null; arrays: ArrayInfo[] | null }[];
  /** Total bytes written without --compress (exact unless decoding skips more files); null without a shape. */
  bytes: number | null;
  format: 'npz' | 'npy';
  notExact: string[];
  warnings: string[];
}
