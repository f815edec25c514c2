/**
 * The one catalogue of error codes. Errors cross process hops (utility process → main →
 * renderer, engine → CLI) as plain `ErrorInfo` data, keeping code, file and stack.
 */
export const errorCodes = [
  'invalid-option',
  'input-not-found',
  'input-unreadable',
  'no-classes',
  'no-images',
  'labels-invalid',
  'unreadable-image',
  'damaged-image',
  'image-too-large',
  'output-exists',
  'write-failed',
  'cancelled',
  'backend-unavailable',
  'preset-invalid',
  'preset-not-found',
  'not-an-array-file',
  'path-not-chosen',
  'duplicate-image',
  'engine-crashed',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * Codes a user can fix by changing input or options: the CLI exits 2 for these. A bad image
 * that `--strict` makes fatal, or an image (or padded canvas) over the limits, is input too:
 * exit 2, so scripts can tell "fix your data" from "the job failed" (1: disk full, crash).
 */
export const usageErrorCodes: readonly ErrorCode[] = [
  'invalid-option',
  'input-not-found',
  'input-unreadable',
  'unreadable-image',
  'image-too-large',
  'no-classes',
  'no-images',
  'labels-invalid',
  'output-exists',
  'backend-unavailable',
  'preset-invalid',
  'preset-not-found',
  'not-an-array-file',
  'path-not-chosen',
];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The file (image, preset, output) the error is about, when there is one. */
  file?: string;
  /** The option the error is about, for `invalid-option`. */
  option?: string;
  stack?: string;
}

export class Img2npyError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly option?: string;

  constructor(code: ErrorCode, message: string, extra: { file?: string; option?: string; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'Img2npyError';
    this.code = code;
    this.file = extra.file;
    this.option = extra.option;
  }
}

/** Flattens any thrown value to data that survives structured clone and JSON. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof Img2npyError) {
    return { code: err.code, message: err.message, file: err.file, option: err.option, stack: err.stack };
  }
  if (isErrorInfo(err)) return err;
  if (err instanceof Error) {
    if (err.name === 'AbortError') return { code: 'cancelled', message: 'Cancelled', stack: err.stack };
    return { code: 'internal', message: err.message, stack: err.stack };
  }
  return { code: 'internal', message: String(err) };
}

export function isErrorInfo(v: unknown): v is ErrorInfo {
  return typeof v === 'object' && v !== null && typeof (v as ErrorInfo).code === 'string' &&
    (errorCodes as readonly string[]).includes((v as ErrorInfo).code) && typeof (v as ErrorInfo).message === 'string';
}

/** Rebuilds a throwable from data received over a process hop, keeping the remote stack. */
export function fromErrorInfo(info: ErrorInfo): Img2npyError {
  const err = new Img2npyError(info.code, info.message, { file: info.file, option: info.option });
  if (info.stack) err.stack = info.stack;
  return err;
}
