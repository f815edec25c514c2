/** Help text generated from the option schema, so flags and their docs cannot drift apart. */
import { optionGroups, optionSpecs } from '../shared/options.js';
import { formatOptionValue } from '../shared/validate-options.js';

export const topHelp = `img2npy — turn image folders (root/<class>/<file>) into NumPy arrays

Usage:
  img2npy convert <folder> --out <file.npz | folder> [options]
  img2npy scan <folder> [--json] [options]        (dry run: reads headers, writes nothing)
  img2npy inspect <file.npz | file.npy | folder> [--grid sheet.png] [--json]
  img2npy presets list | show <name> | save <name> [options] | delete <name>
  img2npy <command> --help
  img2npy --version

Exit codes: 0 success (skipped files allowed), 1 job failed, 2 usage or input error, 130 cancelled.
`;

export function convertHelp(): string {
  const lines = [
    'Usage: img2npy convert <folder> --out <file.npz | folder> [options]',
    '',
    'Shell options:',
    '  --out, -o <path>          Output .npz file, or a folder of .npy files',
    '  --preset <name>           Start from a saved preset (flags override it)',
    '  --config <file.json>      Start from a preset/options JSON file (over --preset)',
    '  --overwrite               Replace an earlier img2npy output (never anything else)',
    '  --json                    Newline-delimited JSON progress and report on stdout',
    '  --quiet                   No progress bar',
  ];
  for (const group of optionGroups) {
    lines.push('', `${group[0].toUpperCase()}${group.slice(1)}:`);
    for (const spec of optionSpecs.filter((s) => s.group === group)) {
      const value =
        spec.kind === 'enum' ? `<${spec.choices.join('|')}>` : spec.kind === 'boolean' ? '' : spec.kind === 'size' ? '<HxW>' : spec.kind === 'numbers' ? '<a,b,c>' : '<value>';
      const flag = spec.kind === 'boolean' ? `--[no-]${spec.flag}` : `--${spec.flag} ${value}`;
      const def = formatOptionValue(spec, spec.default);
      lines.push(`  ${flag.padEnd(34)} ${spec.help}${def ? ` (default ${def})` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The scan takes every conversion option, so its help lists them from the same schema. */
export function scanHelp(): string {
  const options = convertHelp().split('\n').slice(2).filter((l) => !/^( {2}--(out|overwrite|quiet|json)\b|Shell options:)/.test(l));
  return [
    'Usage: img2npy scan <folder> [--json] [options]',
    '',
    'A dry run: the layout found, counts per class and split, formats, the files a conversion',
    'would skip and why (from a header probe: no image is decoded), the final shape of x and the',
    'bytes written for the given options. Nothing is written.',
    '',
    'Scan options:',
    '  --out <path>              Name the output as convert would: .npz or a folder of .npy (sizes differ)',
    '  --json                    One JSON line {"type":"result","data":{...}} on stdout',
    ...options,
  ].join('\n');
}

export const inspectHelp = `Usage: img2npy inspect <file.npz | file.npy | folder of .npy> [--grid sheet.png] [--samples N] [--json]

Prints each array's shape and dtype, the value range of x, and counts per class.
  --grid <file.png>   Write a contact sheet of samples with their labels
  --overwrite         Replace an existing file at the --grid path (never the inspected file)
  --samples <N>       How many samples the sheet shows (default 32)
`;

export const presetsHelp = `Usage:
  img2npy presets list [--json]
  img2npy presets show <name>
  img2npy presets save <name> [--overwrite] [conversion options...]   e.g. --size 224x224 --resize crop
  img2npy presets delete <name>

Presets live in $XDG_CONFIG_HOME/img2npy/presets (Linux; ~/.config when unset), the same store the
desktop app uses.
`;
