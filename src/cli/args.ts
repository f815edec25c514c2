/**
 * Command-line parsing driven by the shared option schema: every conversion option is a flag
 * named by its spec, so adding an option to src/shared/options.ts adds the flag here unchanged.
 */
import { Img2npyError } from '../shared/errors.js';
import { type ConvertOptions, type OptionSpec, optionSpecs } from '../shared/options.js';
import { parseOptionText, validatePartialOptions } from '../shared/validate-options.js';

/** Flags that belong to the shell, not to the conversion options. */
export interface ShellFlags {
  out?: string;
  preset?: string;
  config?: string;
  overwrite: boolean;
  json: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
  grid?: string;
  samples?: number;
}

export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  /** Conversion options given as flags (only those given: a layer over presets). */
  options: Partial<ConvertOptions>;
  shell: ShellFlags;
}

const shellValueFlags = ['out', 'preset', 'config', 'grid', 'samples'] as const;
const shellBoolFlags = ['overwrite', 'json', 'quiet', 'help', 'version'] as const;
const aliases: Record<string, string> = { o: 'out', h: 'help', v: 'version', j: 'jobs', q: 'quiet' };

function usage(message: string, option?: string): Img2npyError {
  return new Img2npyError('invalid-option', message, { option });
}

function specByFlag(flag: string): OptionSpec | undefined {
  return optionSpecs.find((s) => s.flag === flag);
}

/**
 * @example parseArgs(['convert', 'flowers', '--size', '224x224', '--no-exif'])
 * @throws Img2npyError `invalid-option` naming the flag, expected and received value.
 */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const raw: Record<string, unknown> = {};
  const shell: ShellFlags = { overwrite: false, json: false, quiet: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    name = aliases[name] ?? name;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw usage(`Expected a value after --${name}`, name);
      i++;
      return next;
    };
    if ((shellBoolFlags as readonly string[]).includes(name)) {
      // `--overwrite=false` must not overwrite: read the inline value like any boolean.
      let value = true;
      if (inline !== undefined) {
        if (/^(true|yes|1|on)$/i.test(inline)) value = true;
        else if (/^(false|no|0|off)$/i.test(inline)) value = false;
        else throw usage(`Expected true or false for --${name} but received ${JSON.stringify(inline)}`, name);
      }
      shell[name as (typeof shellBoolFlags)[number]] = value;
      continue;
    }
    if ((shellValueFlags as readonly string[]).includes(name)) {
      const value = takeValue();
      if (name === 'samples') {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 1024) throw usage(`Expected integer between 1 and 1024 for --samples but received ${JSON.stringify(value)}`, 'samples');
        shell.samples = n;
      } else {
        shell[name as 'out' | 'preset' | 'config' | 'grid'] = value;
      }
      continue;
    }
    const negated = name.startsWith('no-') ? specByFlag(name.slice(3)) : undefined;
    if (negated?.kind === 'boolean' && inline === undefined) {
      raw[negated.key] = false;
      continue;
    }
    const spec = specByFlag(name);
    if (!spec) throw usage(`Unknown option --${name}; see img2npy convert --help`, name);
    if (spec.kind === 'boolean' && inline === undefined) {
      raw[spec.key] = true;
      continue;
    }
    const parsed = parseOptionText(spec, takeValue());
    if ('issue' in parsed) throw usage(parsed.issue.message.replace(` for ${spec.key} `, ` for --${spec.flag} `), spec.key);
    raw[spec.key] = parsed.value;
  }
  const checked = validatePartialOptions(raw, 'command-line options');
  if (!checked.ok) {
    const flagged = checked.issues.map((i) => {
      const spec = optionSpecs.find((s) => s.key === i.option);
      return spec ? i.message.replace(` for ${spec.key} `, ` for --${spec.flag} `) : i.message;
    });
    throw usage(flagged.join('\n'), checked.issues[0].option);
  }
  const [command = null, ...rest] = positionals;
  return { command, positionals: rest, options: checked.value, shell };
}
