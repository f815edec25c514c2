/**
 * The options panel, derived from the shared schema: which control each option gets, how the
 * control's text becomes a value, and which issues to show next to which field. No DOM here, so
 * the rules are unit-tested without a browser.
 */
import {
  type ConvertOptions,
  type OptionGroup,
  type OptionKey,
  type OptionSpec,
  defaultOptions,
  kerasDefaults,
  optionGroups,
  optionSpecs,
} from '../../shared/options.js';
import { checkOptionValue, formatOptionValue, parseOptionText, resolveOptions } from '../../shared/validate-options.js';

export type Control = 'select' | 'checkbox' | 'number' | 'text';

export function controlFor(spec: OptionSpec): Control {
  switch (spec.kind) {
    case 'enum':
      return 'select';
    case 'boolean':
      return 'checkbox';
    case 'int':
    case 'number':
      return 'number';
    case 'size':
    case 'numbers':
    case 'strings':
    case 'labels':
    case 'text':
      return 'text';
  }
}

export const groupTitles: Record<OptionGroup, string> = {
  geometry: 'Geometry',
  colour: 'Colour',
  tensor: 'Tensor',
  labels: 'Labels',
  split: 'Shuffle and split',
  output: 'Output',
  engine: 'Engine',
};

export function groupedSpecs(specs: readonly OptionSpec[] = optionSpecs): { group: OptionGroup; title: string; specs: OptionSpec[] }[] {
  return optionGroups
    .map((group) => ({ group, title: groupTitles[group], specs: specs.filter((s) => s.group === group) }))
    .filter((g) => g.specs.length > 0);
}

/** Example text shown in an empty text field. */
export function textHint(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'size':
      return 'HxW, e.g. 224x224';
    case 'numbers':
      return 'comma-separated, e.g. 123.7,116.3,103.5';
    case 'strings':
      return 'comma-separated names';
    case 'labels':
      return 'auto, inferred, none, or metadata.csv';
    default:
      return '';
  }
}

export type ControlReading = { set: false } | { set: true; value: unknown } | { issue: string };

/**
 * Reads a control: a checkbox gives a boolean, a select or field gives text. Empty text means
 * "not set" (the default, or Keras's under like=keras, applies).
 */
export function readControl(spec: OptionSpec, raw: string | boolean): ControlReading {
  if (typeof raw === 'boolean') {
    const issue = checkOptionValue(spec, raw);
    return issue ? { issue: issue.message } : { set: true, value: raw };
  }
  const text = raw.trim();
  if (text === '') return { set: false };
  const parsed = parseOptionText(spec, text);
  if ('issue' in parsed) return { issue: parsed.issue.message };
  const issue = checkOptionValue(spec, parsed.value);
  return issue ? { issue: issue.message } : { set: true, value: parsed.value };
}

/** The text a control shows for a value (inverse of `readControl`). */
export function controlText(spec: OptionSpec, value: unknown): string {
  return formatOptionValue(spec, value);
}

/**
 * What every option will be for the engine, given the options the user set: the shared
 * resolver's answer, or (while the combination is invalid) the same layering without its checks.
 */
export function effectiveOptions(set: Partial<ConvertOptions>): ConvertOptions {
  const resolved = resolveOptions([set]);
  if (resolved.ok) return resolved.value;
  const base = defaultOptions();
  return { ...base, ...((set.like ?? base.like) === 'keras' ? kerasDefaults : {}), ...set } as ConvertOptions;
}

/** Issues the shared resolver finds in the combination, grouped by the option they name. */
export function combinationIssues(set: Partial<ConvertOptions>): Partial<Record<OptionKey, string[]>> {
  const resolved = resolveOptions([set]);
  const out: Partial<Record<OptionKey, string[]>> = {};
  if (resolved.ok) return out;
  for (const issue of resolved.issues) {
    const key = (optionSpecs.some((s) => s.key === issue.option) ? issue.option : 'like') as OptionKey;
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** Placeholder of an unset field: the value the engine will use. */
export function defaultText(spec: OptionSpec, effective: ConvertOptions): string {
  const value = effective[spec.key];
  if (value === null || value === undefined) {
    if (spec.key === 'seed') return 'random (reported)';
    if (spec.key === 'jobs') return 'CPU cores';
    if (spec.key === 'shardSize') return 'one file';
    if (spec.key === 'classNames') return 'sorted folder names';
    return 'not set';
  }
  return controlText(spec, value);
}
