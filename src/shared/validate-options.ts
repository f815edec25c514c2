/**
 * Options are validated once, here, whatever their source (CLI flags, preset files, IPC).
 * Messages name the option, the expected and the received value, in sharp's manner:
 * `Expected integer between 1 and 65536 for batchSize but received -1 of type number`.
 */
import {
  type ConvertOptions,
  type OptionKey,
  type OptionSpec,
  defaultOptions,
  kerasDefaults,
  optionSpecs,
} from './options.js';

export interface OptionIssue {
  option: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: OptionIssue[] };

function describe(value: unknown): string {
  if (isSize(value)) return `${value.height}x${value.width}`;
  const shown = typeof value === 'string' || Array.isArray(value) || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `${shown.length > 80 ? shown.slice(0, 77) + '...' : shown} of type ${type}`;
}

/** A parsed `HxW` (shown back as the user typed it, not as "[object Object]"). */
function isSize(value: unknown): value is { height: number; width: number } {
  const v = value as { height?: unknown; width?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.height === 'number' && typeof v.width === 'number' && Object.keys(v).length === 2;
}

function expected(spec: OptionSpec, what: string, value: unknown): OptionIssue {
  return { option: spec.key, message: `Expected ${what} for ${spec.key} but received ${describe(value)}` };
}

/** Checks one typed value against its spec; returns the issue or null. */
export function checkOptionValue(spec: OptionSpec, value: unknown): OptionIssue | null {
  switch (spec.kind) {
    case 'enum':
      return typeof value === 'string' && spec.choices.includes(value)
        ? null
        : expected(spec, `one of ${spec.choices.join(', ')}`, value);
    case 'int': {
      if (value === null && spec.nullable) return null;
      const ok = typeof value === 'number' && Number.isInteger(value) && value >= spec.min && value <= spec.max;
      const upper = spec.max === Number.MAX_SAFE_INTEGER ? `at least ${spec.min}` : `between ${spec.min} and ${spec.max}`;
      return ok ? null : expected(spec, `integer ${upper}${spec.nullable ? ' or null' : ''}`, value);
    }
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= spec.min &&
        (spec.exclusiveMax ? value < spec.max : value <= spec.max);
      return ok ? null : expected(spec, `number from ${spec.min} to ${spec.exclusiveMax ? 'below ' : ''}${spec.max}`, value);
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : expected(spec, 'boolean', value);
    case 'size': {
      if (value === null) return null;
      const v = value as { height?: unknown; width?: unknown };
      const dim = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65536;
      return typeof value === 'object' && dim(v.height) && dim(v.width)
        ? null
        : expected(spec, '{height, width} with integers between 1 and 65536 (HxW)', value);
    }
    case 'numbers': {
      if (value === null) return null;
      const ok =
        Array.isArray(value) &&
        value.length >= spec.minLength &&
        value.length <= spec.maxLength &&
        value.every((n) => typeof n === 'number' && Number.isFinite(n));
      return ok ? null : expected(spec, `${spec.minLength} to ${spec.maxLength} finite numbers`, value);
    }
    case 'labels':
      return typeof value === 'string' && (value === 'auto' || value === 'inferred' || value === 'none' || /\.(csv|tsv|jsonl)$/i.test(value))
        ? null
        : expected(spec, 'auto, inferred, none, or a path ending in .csv, .tsv or .jsonl', value);
    case 'text':
      return value === null || (typeof value === 'string' && value.trim().length > 0) ? null : expected(spec, 'a non-empty name', value);
    case 'strings': {
      if (value === null) return null;
      const ok = Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && s.length > 0);
      const unique = ok && new Set(value as string[]).size === (value as string[]).length;
      return unique ? null : expected(spec, 'a non-empty list of distinct non-empty names', value);
    }
  }
}

/**
 * Turns a CLI string into the typed value for `spec` (without range checks: those happen in
 * `validatePartialOptions`). Returns the issue when the text cannot be read at all.
 */
export function parseOptionText(spec: OptionSpec, text: string): { value: unknown } | { issue: OptionIssue } {
  const fail = (what: string) => ({ issue: expected(spec, what, text) });
  switch (spec.kind) {
    case 'enum':
    case 'labels':
    case 'text':
      return { value: text };
    case 'int':
    case 'number': {
      if (spec.kind === 'int' && spec.nullable && text === 'null') return { value: null };
      if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim())) return fail(spec.kind === 'int' ? 'integer' : 'number');
      return { value: Number(text) };
    }
    case 'boolean':
      if (['true', 'yes', '1', 'on'].includes(text)) return { value: true };
      if (['false', 'no', '0', 'off'].includes(text)) return { value: false };
      return fail('true or false');
    case 'size': {
      const m = /^\s*(\d+)\s*[x×,]\s*(\d+)\s*$/i.exec(text);
      if (m) return { value: { height: Number(m[1]), width: Number(m[2]) } };
      if (/^\d+$/.test(text.trim())) return { value: { height: Number(text), width: Number(text) } };
      return fail('HxW such as 224x224');
    }
    case 'numbers': {
      const parts = text.split(',').map((s) => s.trim());
      if (parts.some((p) => p === '' || !Number.isFinite(Number(p)))) return fail('comma-separated numbers');
      return { value: parts.map(Number) };
    }
    case 'strings':
      return { value: text.split(',').map((s) => s.trim()).filter((s) => s.length > 0) };
  }
}

/** Formats a typed value back to the text `parseOptionText` reads (for help, UI and presets). */
export function formatOptionValue(spec: OptionSpec, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (spec.kind === 'size') {
    const s = value as { height: number; width: number };
    return `${s.height}x${s.width}`;
  }
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Validates a partial option object (a preset, a CLI layer, an IPC payload). Unknown keys are errors. */
export function validatePartialOptions(input: unknown, source = 'options'): Validated<Partial<ConvertOptions>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ option: source, message: `Expected an object for ${source} but received ${describe(input)}` }] };
  }
  const issues: OptionIssue[] = [];
  const value: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(input)) {
    const spec = optionSpecs.find((s) => s.key === key);
    if (!spec) {
      issues.push({ option: key, message: `Unknown option ${key} in ${source}; known options: ${optionSpecs.map((s) => s.key).join(', ')}` });
      continue;
    }
    const issue = checkOptionValue(spec, v);
    if (issue) issues.push(issue);
    else value[key] = v;
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: value as Partial<ConvertOptions> };
}

/**
 * mean/std are on torchvision's 0-1 scale. Pixel statistics on the 0-255 scale (mean 123.7...)
 * would silently give values near ±2000, so a mean or std above 1 is refused with the values
 * already divided by 255, ready to paste.
 */
function checkUnitScale(mean: number[] | null, std: number[] | null): OptionIssue | null {
  const high = (v: number[] | null) => v !== null && v.some((n) => n > 1);
  if (!high(mean) && !high(std)) return null;
  const scaled = (v: number[]) => v.map((n) => Number((n / 255).toPrecision(6))).join(',');
  const both = high(mean) && high(std);
  const received = [high(mean) && `mean ${mean!.join(',')}`, high(std) && `std ${std!.join(',')}`].filter(Boolean).join(' and ');
  const fixed = [high(mean) && `--mean ${scaled(mean!)}`, high(std) && `--std ${scaled(std!)}`].filter(Boolean).join(' ');
  return {
    option: high(mean) ? 'mean' : 'std',
    message: `Expected ${both ? 'mean and std' : high(mean) ? 'mean' : 'std'} on the 0-1 scale (as torchvision's Normalize takes them) but received ${received}, which ${both ? 'look' : 'looks'} like the 0-255 scale; divided by 255: ${fixed}`,
  };
}

/** Cross-option rules that a single value check cannot see. */
function checkCombination(o: ConvertOptions): OptionIssue[] {
  const issues: OptionIssue[] = [];
  if (o.size === null && o.resize !== 'none') {
    issues.push({ option: 'size', message: `Expected a size (HxW) for size when resize is ${o.resize} but received null; use --size HxW or --resize none` });
  }
  if (o.normalize !== 'none' && o.dtype === 'uint8') {
    issues.push({ option: 'dtype', message: `Expected float32 or float16 for dtype when normalize is ${o.normalize} but received "uint8" of type string` });
  }
  if (o.normalize === 'custom' && (o.mean === null || o.std === null)) {
    issues.push({ option: 'normalize', message: 'Expected both mean and std for normalize custom but received ' + (o.mean === null ? 'no mean' : 'no std') });
  }
  const channels = o.color === 'grayscale' ? 1 : o.color === 'rgba' ? 4 : 3;
  for (const key of ['mean', 'std'] as const) {
    const v = o[key];
    if (v && v.length !== 1 && v.length !== channels) {
      issues.push({ option: key, message: `Expected 1 or ${channels} numbers for ${key} with color ${o.color} but received ${v.length} numbers` });
    }
  }
  if (o.std && o.std.some((s) => s === 0)) {
    issues.push({ option: 'std', message: `Expected non-zero numbers for std but received ${JSON.stringify(o.std)} of type array` });
  }
  const scaleIssue = checkUnitScale(o.mean, o.std);
  if (scaleIssue) issues.push(scaleIssue);
  if (o.split !== null) {
    const sum = o.split.reduce((a, b) => a + b, 0);
    if (o.split.some((f) => f <= 0 || f >= 1) || Math.abs(sum - 1) > 1e-6) {
      issues.push({ option: 'split', message: `Expected 2 or 3 fractions between 0 and 1 that sum to 1 (train,val[,test]) for split (--split) but received ${o.split.join(',')}` });
    }
    if (o.validationSplit > 0) {
      issues.push({ option: 'split', message: `Expected either split (--split) or validationSplit (--validation-split) but received both (split ${o.split.join(',')}, validationSplit ${o.validationSplit}); split 1-v,v is the same as validationSplit v` });
    }
  }
  if (o.like === 'keras' && o.layout !== 'nhwc') {
    issues.push({ option: 'layout', message: 'Expected nhwc for layout with like keras but received "nchw" of type string' });
  }
  return issues;
}

/**
 * Resolves option layers (lowest priority first: preset, config file, flags) into full options:
 * schema defaults, then Keras defaults when `like` ends up `keras` (only for keys no layer set),
 * then the layers. `mean`/`std` imply normalize `custom` unless a layer chose another one.
 */
export function resolveOptions(layers: Partial<ConvertOptions>[]): Validated<ConvertOptions> {
  const merged: Partial<ConvertOptions> = {};
  for (const layer of layers) Object.assign(merged, layer);
  const base = defaultOptions();
  const keras = (merged.like ?? base.like) === 'keras' ? kerasDefaults : {};
  const out = { ...base, ...keras, ...merged } as ConvertOptions;
  if ((merged.mean || merged.std) && merged.normalize === undefined) out.normalize = 'custom';
  // Splitting in file order puts the last classes alone in validation: shuffle whenever splitting
  // unless asked not to (Keras shuffles by default too).
  if (merged.shuffle === undefined && (out.validationSplit > 0 || (out.split ?? null) !== null)) out.shuffle = true;
  if (out.normalize !== 'none' && merged.dtype === undefined && out.dtype === 'uint8') out.dtype = 'float32';
  const checked = validatePartialOptions(out);
  if (!checked.ok) return checked;
  const combo = checkCombination(out);
  return combo.length ? { ok: false, issues: combo } : { ok: true, value: out };
}

export function optionKeys(): OptionKey[] {
  return optionSpecs.map((s) => s.key);
}
