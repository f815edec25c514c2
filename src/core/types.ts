/**
 * Contracts between the engine's stages (internal to src/core; shells see src/shared only).
 * Flow: scan → (order/split) → decode+geometry → tensor → writers.
 */
import type { ErrorCode } from '../shared/errors.js';

/**
 * The outputs one job can write: 'all' (everything, no name suffix), generated splits 'train',
 * 'val', 'test', or the split folders of the input named as they are ('Train', 'valid'...).
 */
export type SubsetName = string;

/** A value of a labels file's extra column, as written: int64, float64 or text. */
export type MetaValue = bigint | number | string;

/** An extra column of a labels file, written as its own array. */
export interface MetaColumn {
  /** Header as in the file. */
  column: string;
  /** Array name in the output (the header, `meta_`-prefixed on a clash). */
  name: string;
  kind: 'int64' | 'float64' | 'text';
}

/** One image file found by the scan. */
export interface ScannedFile {
  /** Absolute path on disk. */
  abs: string;
  /** Path relative to the scanned root, '/'-separated, starting with the class folder. */
  rel: string;
  /** Class index into `classNames`, or null when labels are 'none'. */
  label: number | null;
  /** The split folder the file lies in (root/<split>/...), when the input has split folders. */
  split?: string;
  /** Values of the labels file's extra columns, in `ScanResult.metaColumns` order. */
  meta?: MetaValue[];
  /** Set when the file is a member of an archive: `abs` is then `<archive>/<name>`, not a path on disk. */
  source?: EntrySource;
}

/**
 * Where an archive member's bytes lie. Zip and tar are random access, so a decoder thread reads
 * its member itself (scan/archive-read.ts) and nothing is unpacked to disk; a .tar.gz member is
 * read on the main thread by the job's sequential feed (scan/tar-gz-feed.ts), which hands it over.
 */
export interface EntrySource {
  archive: string;
  kind: 'zip' | 'tar' | 'tar.gz';
  /** Zip: offset of the member's local header; tar: offset of its data; tar.gz: offset of its data in the gunzipped stream. */
  offset: number;
  method: 'stored' | 'deflate';
  /** Bytes stored in the archive. */
  size: number;
  /** Declared size once inflated: a hard cap on what is inflated, and what must come out. */
  length: number;
  /** CRC-32 from the zip's central directory; null for tar. */
  crc: number | null;
  /** The member's name in the archive, for messages. */
  name: string;
  /** The archive as the scan listed it: a read that opens another file (replaced, rewritten) fails the job. */
  identity?: ArchiveIdentity;
}

/** What tells one archive file from another, from fstat: checked each time the archive is opened again. */
export interface ArchiveIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

/** An archive's listing, as it goes: its compressed bytes read so far (of `totalBytes`) and the members found. */
export type ListingProgress = (p: { archive: string; bytesRead: number; totalBytes: number; members: number }) => void;

export interface ScanOptions {
  /** Lower-case extensions with the dot, e.g. ['.jpg', '.png']. */
  extensions: readonly string[];
  followLinks: boolean;
  /**
   * 'default': files of a class sorted by their whole relative path (code point order);
   *   hidden files and folders are skipped everywhere.
   * 'keras': Keras's order: folders visited in sorted path order, files sorted by name inside
   *   each; hidden files and sub-folders inside a class are kept (only hidden class folders skip).
   */
  order: 'default' | 'keras';
  /** 'auto' | 'inferred' | 'none' | absolute path of a .csv / .tsv / .jsonl labels file. */
  labels: string;
  /** Label column of a labels file with a header; null/absent = the usual names. */
  labelColumn?: string | null;
  /** Detect split folders (train/val/test...) at the root; absent = true except in Keras order. */
  splitFolders?: boolean;
  /** Split folders to keep (any case); null/absent = all. */
  splits?: string[] | null;
  /** Explicit class order; must equal the set of class folders (or CSV labels). */
  classNames: string[] | null;
}

export interface ScanResult {
  root: string;
  classNames: string[];
  /** In output order before any shuffle. */
  files: ScannedFile[];
  countsPerClass: Record<string, number>;
  emptyClasses: string[];
  /** Extension without dot → count, over `files`. */
  formats: Record<string, number>;
  /** Files seen but not taken (root-level files, unknown extensions, broken links), with why. */
  ignored: { file: string; code: ErrorCode; reason: string }[];
  warnings: string[];
  /** What the root holds, as detected. */
  layout: ScanLayout;
  /** Extra columns of the labels file (none without one). */
  metaColumns: MetaColumn[];
}

export interface ScanLayout {
  kind: 'class-folders' | 'split-folders' | 'metadata-file' | 'flat';
  /** Split folders in output order (train-like, val-like, test-like), when kind is split-folders or a labels file lies in them. */
  splits: string[];
  /** The labels file used (absolute), if any. */
  labelsFile: string | null;
  /** The archive the files come from (absolute), when the input is one. */
  archive?: string | null;
  /** Announcements for the user (metadata file found, split folders found...). */
  notes: string[];
}

/** Pixels after decode (and, in the default mode, after geometry): HWC, row-major, uint8. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  /** Which decoder read the file (decode/decoders.ts), for the report; absent for derived images. */
  decoder?: string;
  /** Set when the file is damaged but was kept (--allow-damaged): what libjpeg reported. */
  damage?: string;
  /**
   * Set when `data` is a decoder thread's scratch (TurboJPEG's output, decode/turbojpeg.ts, or
   * the file read, decode/read-file.ts), valid only until that thread decodes again: whoever
   * keeps the pixels longer copies them first.
   */
  transient?: true;
}

/** What the decoder must do to one file; built once per job from ConvertOptions. */
export interface DecodePlan {
  channels: 1 | 3 | 4;
  alpha: 'drop' | 'white' | 'black';
  exif: boolean;
  /** 0 = unlimited. */
  maxPixels: number;
  /**
   * Geometry done by the decoder (sharp); null = return the full decoded image (Keras mode and
   * resize 'none' both do geometry later).
   */
  geometry: {
    height: number;
    width: number;
    mode: 'stretch' | 'crop' | 'pad';
    interpolation: 'nearest' | 'bilinear' | 'bicubic' | 'area' | 'lanczos3';
    antialias: boolean;
    padValue: number;
  } | null;
  /** Allow JPEG shrink-on-load (DCT-domain downscale) when it cannot change the meaning. */
  fastShrink: boolean;
  /**
   * JPEG inverse DCT: 'accurate' (libjpeg's ISLOW, PIL's default) or 'fast' (IFAST, TensorFlow
   * decode_jpeg's default, for Keras mode). Absent = 'accurate'.
   */
  jpegDct?: 'fast' | 'accurate';
  /** Keep images libjpeg decodes with corruption warnings (listed as damaged) instead of skipping them. */
  allowDamaged?: boolean;
}

/** Size of an image as it will be decoded (after EXIF orientation when that is applied). */
export interface ImageProbe {
  width: number;
  height: number;
}

export type TypedPixels = Uint8Array | Float32Array | Uint16Array;
