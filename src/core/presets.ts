/**
 * The preset store: one JSON file per preset in the per-user config folder, shared by the CLI
 * and the desktop app. A corrupt file is reported with its path and never overwritten silently.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Img2npyError } from '../shared/errors.js';
import { type Preset, checkPresetName } from '../shared/presets.js';
import { validatePartialOptions } from '../shared/validate-options.js';

/**
 * `$XDG_CONFIG_HOME/img2npy/presets` on Linux (default ~/.config), `~/Library/Application
 * Support/img2npy/presets` on macOS, `%APPDATA%\img2npy\presets` on Windows — the folders
 * Electron's `app.getPath('userData')` parent resolves to, so the app and the CLI agree.
 */
export function defaultPresetsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'img2npy', 'presets');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'img2npy', 'presets');
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'img2npy', 'presets');
}

/**
 * Parses and validates preset JSON text (a stored file, an imported file, `--config`).
 * @throws Img2npyError `preset-invalid` naming `source` and every problem found.
 * @example parsePreset('{"name":"my224","options":{"size":{"height":224,"width":224}}}', 'x.json')
 */
export function parsePreset(text: string, source: string, fallbackName?: string): Preset {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Img2npyError('preset-invalid', `${source} is not valid JSON: ${(err as Error).message}`, { file: source });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Img2npyError('preset-invalid', `${source} must hold a JSON object {"name", "options"}`, { file: source });
  }
  const obj = data as Record<string, unknown>;
  // A bare options object is accepted too (a hand-written --config file).
  const options = 'options' in obj ? obj.options : obj;
  const name = 'options' in obj && obj.name !== undefined ? obj.name : fallbackName;
  const nameIssue = checkPresetName(name);
  if (nameIssue) throw new Img2npyError('preset-invalid', `${source}: ${nameIssue}`, { file: source });
  const checked = validatePartialOptions(options, source);
  if (!checked.ok) {
    throw new Img2npyError('preset-invalid', `${source} has invalid options:\n  ${checked.issues.map((i) => i.message).join('\n  ')}`, {
      file: source,
      option: checked.issues[0]?.option,
    });
  }
  return { name: name as string, options: checked.value };
}

export class PresetStore {
  readonly dir: string;

  constructor(dir: string = defaultPresetsDir()) {
    this.dir = dir;
  }

  private file(name: string): string {
    const issue = checkPresetName(name);
    if (issue) throw new Img2npyError('invalid-option', issue, { option: 'name' });
    return join(this.dir, `${name}.json`);
  }

  /** All presets, sorted by name. A corrupt file fails the listing with its path, not silently. */
  async list(): Promise<Preset[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Img2npyError('preset-invalid', `Cannot read the presets folder ${this.dir}: ${(err as Error).message}`, { file: this.dir });
    }
    const presets: Preset[] = [];
    for (const n of names.filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
      presets.push(await this.get(n.slice(0, -5)));
    }
    return presets;
  }

  /** @throws Img2npyError `preset-not-found` or `preset-invalid` (corrupt file, named). */
  async get(name: string): Promise<Preset> {
    const path = this.file(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Img2npyError('preset-not-found', `No preset named "${name}" in ${this.dir}`, { file: path });
      }
      throw new Img2npyError('preset-invalid', `Cannot read preset ${path}: ${(err as Error).message}`, { file: path });
    }
    const preset = parsePreset(text, path, name);
    return { ...preset, name };
  }

  /**
   * Saves (creates or replaces) a preset. Replacing a file that does not parse is refused, so a
   * corrupt preset is never overwritten without the user deleting it first. With `overwrite`
   * false an existing preset is refused too (the CLI's `presets save` without --overwrite); the
   * default (true) keeps the app's save-over-selected behaviour, where the app asks first.
   * @throws Img2npyError `output-exists` naming the preset file when it exists and overwrite is false.
   */
  async save(preset: Preset, opts: { overwrite?: boolean } = {}): Promise<Preset> {
    const path = this.file(preset.name);
    const checked = validatePartialOptions(preset.options, `preset ${preset.name}`);
    if (!checked.ok) throw new Img2npyError('invalid-option', checked.issues.map((i) => i.message).join('; '), { option: checked.issues[0]?.option });
    const exists = await this.get(preset.name).then(
      () => true,
      (err: Img2npyError) => {
        if (err.code !== 'preset-not-found') throw err;
        return false;
      },
    );
    if (exists && opts.overwrite === false) {
      throw new Img2npyError('output-exists', `A preset named "${preset.name}" already exists in ${this.dir}; turn on overwrite (--overwrite) to replace it`, { file: path });
    }
    const clean: Preset = { name: preset.name, options: checked.value };
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(clean, null, 2) + '\n');
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Img2npyError('write-failed', `Cannot save preset ${path}: ${(err as Error).message}`, { file: path, cause: err });
    }
    return clean;
  }

  async delete(name: string): Promise<boolean> {
    const path = this.file(name);
    try {
      await rm(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async rename(from: string, to: string): Promise<Preset> {
    const preset = await this.get(from);
    const target = this.file(to);
    const exists = await readFile(target).then(() => true, () => false);
    if (exists && from !== to) throw new Img2npyError('invalid-option', `A preset named "${to}" already exists in ${this.dir}`, { option: 'name', file: target });
    const saved = await this.save({ ...preset, name: to });
    if (from !== to) await this.delete(from);
    return saved;
  }

  /** Imports preset JSON text (as written by `export`) into the store. */
  async import(json: string): Promise<Preset> {
    return this.save(parsePreset(json, 'imported preset'));
  }

  async export(name: string): Promise<string> {
    return JSON.stringify(await this.get(name), null, 2) + '\n';
  }
}
