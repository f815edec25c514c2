import type { Preset } from '../shared/presets.js';
/** Stub: the preset store is being written. */
export declare class PresetStore {
  constructor(dir?: string);
  readonly dir: string;
  list(): Promise<Preset[]>;
  get(name: string): Promise<Preset>;
  save(preset: Preset): Promise<Preset>;
  delete(name: string): Promise<boolean>;
  rename(from: string, to: string): Promise<Preset>;
  import(json: string): Promise<Preset>;
  export(name: string): Promise<string>;
}
export declare function defaultPresetsDir(): string;
