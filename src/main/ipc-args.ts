/**
 * Checks for everything that arrives over IPC. The renderer is not trusted to send well-formed
 * data, so each argument is checked here before a handler uses it; messages follow the shared
 * validator's `Expected ... for <name> but received ...` form.
 */
import { isAbsolute } from 'node:path';
import type { ConvertJob } from '../shared/api.js';
import { type ErrorCode, Img2npyError } from '../shared/errors.js';
import type { ConvertOptions } from '../shared/options.js';
import { type Preset, checkPresetName } from '../shared/presets.js';
import { validatePartialOptions } from '../shared/validate-options.js';

const maxPathLength = 4096;
const maxJsonLength = 1024 * 1024;
export const maxPreviewCount = 64;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `${text.length > 80 ? text.slice(0, 77) + '...' : text} of type ${type}`;
}

function fail(code: ErrorCode, name: string, what: string, value: unknown, extra: { file?: string } = {}): never {
  throw new Img2npyError(code, `Expected ${what} for ${name} but received ${shown(value)}`, { option: name, ...extra });
}

export function absolutePath(value: unknown, name: string, code: ErrorCode = 'invalid-option'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxPathLength || value.includes('\0') || !isAbsolute(value)) {
    fail(code, name, 'an absolute path', value, typeof value === 'string' ? { file: value } : {});
  }
  return value;
}

export function optionsArg(value: unknown): Partial<ConvertOptions> {
  const checked = validatePartialOptions(value, 'options');
  if (checked.ok) return checked.value;
  throw new Img2npyError('invalid-option', checked.issues.map((i) => i.message).join('; '), { option: checked.issues[0]?.option });
}

export function previewCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxPreviewCount) {
    fail('invalid-option', 'count', `integer between 1 and ${maxPreviewCount}`, value);
  }
  return value;
}

export function sampleSeedArg(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 32 - 1) {
    fail('invalid-option', 'sampleSeed', 'integer between 0 and 4294967295', value);
  }
  return value;
}

export function jobIdArg(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) fail('invalid-option', 'jobId', '1-64 letters, digits, dash or underscore', value);
  return value;
}

export function convertJob(value: unknown): ConvertJob {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('invalid-option', 'job', 'an object', value);
  const job = value as Record<string, unknown>;
  const known = new Set(['jobId', 'input', 'output', 'options', 'overwrite']);
  const unknown = Object.keys(job).filter((k) => !known.has(k));
  if (unknown.length) fail('invalid-option', 'job', `only ${[...known].join(', ')}`, unknown.join(','));
  if (typeof job.overwrite !== 'boolean') fail('invalid-option', 'overwrite', 'boolean', job.overwrite);
  return {
    jobId: jobIdArg(job.jobId),
    input: absolutePath(job.input, 'input', 'input-not-found'),
    output: absolutePath(job.output, 'output'),
    options: optionsArg(job.options),
    overwrite: job.overwrite,
  };
}

export function presetName(value: unknown): string {
  const problem = checkPresetName(value);
  if (problem) throw new Img2npyError('preset-invalid', problem, { option: 'name' });
  return value as string;
}

export function presetArg(value: unknown): Preset {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('preset-invalid', 'preset', 'an object {name, options}', value);
  const preset = value as Record<string, unknown>;
  const name = presetName(preset.name);
  const checked = validatePartialOptions(preset.options, `preset ${name}`);
  if (!checked.ok) throw new Img2npyError('preset-invalid', checked.issues.map((i) => i.message).join('; '), { option: checked.issues[0]?.option });
  return { name, options: checked.value };
}

export function jsonText(value: unknown): string {
  if (typeof value !== 'string' || value.length > maxJsonLength) fail('preset-invalid', 'json', `a string of at most ${maxJsonLength} characters`, value);
  return value;
}

export function suggestion(value: unknown): string {
  if (typeof value !== 'string' || value.length > maxPathLength || value.includes('\0')) fail('invalid-option', 'suggested', 'a path', value);
  return value;
}
