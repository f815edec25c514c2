/** `img2npy presets list|show|save|delete`: the same store the desktop app uses. */
import { Img2npyError } from '../shared/errors.js';
import { optionSpecs } from '../shared/options.js';
import { formatOptionValue } from '../shared/validate-options.js';
import type { Preset } from '../shared/presets.js';
import { PresetStore, defaultPresetsDir } from '../core/index.js';
import type { CommandContext } from './context.js';

function describe(preset: Preset): string {
  const parts = Object.entries(preset.options).map(([key, value]) => {
    const spec = optionSpecs.find((s) => s.key === key)!;
    return spec.kind === 'boolean' ? (value ? `--${spec.flag}` : `--no-${spec.flag}`) : `--${spec.flag} ${formatOptionValue(spec, value)}`;
  });
  return `${preset.name}: ${parts.join(' ') || '(defaults)'}`;
}

export async function presetsCommand(ctx: CommandContext): Promise<number> {
  const { args, io, reporter } = ctx;
  const store = new PresetStore(defaultPresetsDir(io.env));
  const [verb, name, ...extra] = args.positionals;
  if (extra.length) throw new Img2npyError('invalid-option', `Unexpected argument "${extra[0]}"`);
  const needName = () => {
    if (!name) throw new Img2npyError('invalid-option', `Expected a preset name: img2npy presets ${verb} <name>`, { option: 'name' });
    return name;
  };
  switch (verb) {
    case 'list': {
      const presets = await store.list();
      reporter.result(presets.length ? presets.map(describe).join('\n') : `No presets in ${store.dir}`, presets);
      return 0;
    }
    case 'show': {
      const preset = await store.get(needName());
      reporter.result(JSON.stringify(preset, null, 2), preset);
      return 0;
    }
    case 'save': {
      const saved = await store.save({ name: needName(), options: args.options }, { overwrite: args.shell.overwrite });
      reporter.result(`Saved ${describe(saved)}`, saved);
      return 0;
    }
    case 'delete': {
      const removed = await store.delete(needName());
      if (!removed) throw new Img2npyError('preset-not-found', `No preset named "${name}" in ${store.dir}`, { file: store.dir });
      reporter.result(`Deleted ${name}`, { deleted: name });
      return 0;
    }
    default:
      throw new Img2npyError('invalid-option', `Expected list, show, save or delete after presets but received ${JSON.stringify(verb ?? '')}`);
  }
}
