/**
 * The engine and the shared validator speak the CLI's language (`--overwrite`, `batchSize`,
 * "of type number"). The window names its own controls instead: these rewrite a message for it.
 */
import type { ErrorInfo } from '../../shared/errors.js';
import { optionSpecs } from '../../shared/options.js';

/** Flags that are not options in the panel, by the control that does their job in the window. */
const shellControls: Record<string, string> = {
  overwrite: 'Overwrite existing output',
  out: 'Output Choose…',
  json: 'Export',
};

const byFlag = new Map<string, string>([...optionSpecs.map((s) => [s.flag, s.label] as [string, string]), ...Object.entries(shellControls)]);
const byKey = new Map<string, string>(optionSpecs.map((s) => [s.key, s.label]));

const quoted = (label: string) => `“${label}”`;

/** Rewrites one message: flags and option keys become control names; type jargon goes. */
export function inAppWords(message: string): string {
  return message
    .replace(/\(--([a-z][a-z-]*)\)/g, (whole, flag: string) => (byFlag.has(flag) ? `(${quoted(byFlag.get(flag)!)})` : whole))
    .replace(/--([a-z][a-z-]*)/g, (whole, flag: string) => {
      if (byFlag.has(flag)) return quoted(byFlag.get(flag)!);
      const negated = flag.startsWith('no-') ? byFlag.get(flag.slice(3)) : undefined;
      return negated ? `${quoted(negated)} off` : whole;
    })
    .replace(/\bfor ([a-zA-Z]+)\b/g, (whole, key: string) => (byKey.has(key) ? `for ${byKey.get(key)}` : whole))
    .replace(/ of type (string|number|boolean|object|array|null|undefined)\b/g, '');
}

export function errorInAppWords(error: ErrorInfo): ErrorInfo {
  return { ...error, message: inAppWords(error.message) };
}
