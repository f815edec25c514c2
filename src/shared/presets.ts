import type { ConvertOptions } from './options.js';

export interface Preset {
  name: string;
  options: Partial<ConvertOptions>;
}

/** Preset names are file names in the store: keep them portable. */
export const presetNamePattern = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export function checkPresetName(name: unknown): string | null {
  if (typeof name !== 'string' || !presetNamePattern.test(name) || name.endsWith('.')) {
    return `Expected a preset name of 1-64 letters, digits, space, dot, dash or underscore for name but received ${JSON.stringify(name)} of type ${typeof name}`;
  }
  return null;
}
