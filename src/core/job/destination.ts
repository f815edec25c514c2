/**
 * What sits at a job's destination, and whether img2npy may replace it. The one rule: img2npy
 * replaces only what it wrote itself — a path listed by an img2npy manifest beside it (and, for
 * a folder of .npy files, holding nothing but the writer's arrays) or that manifest itself —
 * and never the input, a folder that contains the input, or anything reached through a link.
 */
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import { type ConvertOptions, defaultOptions } from '../../shared/options.js';
import { outputFolderFiles, readOwnManifest } from '../scan/own-outputs.js';
import { type OutputLayout, existingShards, outputPath, planOutputs } from './output-paths.js';

export interface DestinationEntry {
  path: string;
  /** True when img2npy wrote it (so overwrite may replace it). */
  ours: boolean;
  /** What is there, for messages: "an img2npy output", "a folder holding 3 entries (a, b, c)". */
  what: string;
}

export interface DestinationState {
  layout: OutputLayout;
  /** Every path of this job's outputs that exists now. */
  existing: DestinationEntry[];
  /** E.g. the output lies inside the input folder. */
  warnings: string[];
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
async function realish(path: string): Promise<string> {
  const rest: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const real = await realpath(at).catch(() => null);
    if (real !== null) return join(real, ...rest);
    if (dirname(at) === at) return resolve(path);
    rest.unshift(basename(at));
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..';
}

function listed(names: string[]): string {
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ', ...' : '');
}

/** Describes one existing path and decides whether it is an img2npy output (see the file comment). */
async function classify(path: string, layout: OutputLayout, manifestOutputs: Set<string> | null): Promise<DestinationEntry | null> {
  const s = await lstat(path).catch(() => null);
  if (!s) return null;
  if (s.isSymbolicLink()) {
    const target = await readlink(path).catch(() => '?');
    return { path, ours: false, what: `a link to ${target}` };
  }
  if (path === layout.manifest) {
    const own = s.isFile() ? await readOwnManifest(path) : null;
    return own ? { path, ours: true, what: 'an img2npy manifest' } : { path, ours: false, what: s.isFile() ? 'a file that is not an img2npy manifest' : 'not a file' };
  }
  const listedByManifest = manifestOutputs?.has(basename(path)) === true;
  if (s.isFile()) {
    const ours = listedByManifest;
    return { path, ours, what: ours ? 'an img2npy output' : `a file of ${s.size} bytes that no img2npy manifest lists` };
  }
  if (s.isDirectory()) {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
    if (entries === null) return { path, ours: false, what: 'a folder that cannot be read' };
    const foreign = entries.filter((e) => !e.isFile() || !outputFolderFiles.includes(e.name)).map((e) => e.name);
    const ours = listedByManifest && foreign.length === 0;
    if (ours) return { path, ours, what: 'an img2npy output' };
    if (listedByManifest && foreign.length) return { path, ours, what: `an img2npy output folder that now also holds other files (${listed(foreign)})` };
    return { path, ours, what: entries.length ? `a folder holding ${entries.length} entries (${listed(entries.map((e) => e.name))}) that no img2npy manifest lists` : 'an empty folder that no img2npy manifest lists' };
  }
  return { path, ours: false, what: 'a special file (not a regular file or folder)' };
}

/**
 * Refuses outputs that are the input, contain it or lie inside it. Inside is refused too, not
 * only warned about: an output written into the dataset changes the dataset (the next scan, a
 * teammate's loader, a `du` of the data), and a destination beside it costs nothing.
 */
async function checkAgainstInput(layout: OutputLayout, input: string): Promise<string[]> {
  const realInput = await realish(input);
  const planned = [layout.base, layout.manifest, ...layout.subsets.map((s) => outputPath(layout, s))];
  for (const path of planned) {
    const real = await realish(path);
    if (real === realInput || isInside(realInput, real)) {
      const how = real === realInput ? 'is the input folder' : `contains the input folder ${input}`;
      throw new Img2npyError('invalid-option', `Output ${path} ${how}; img2npy never writes over its input: choose a destination outside it (--out)`, {
        option: 'out',
        file: path,
      });
    }
  }
  if (isInside(await realish(layout.base), realInput)) {
    throw new Img2npyError('invalid-option', `Output ${layout.base} lies inside the input folder ${input}; img2npy does not write into the data it reads: choose a destination outside it (--out), e.g. beside it`, {
      option: 'out',
      file: layout.base,
    });
  }
  return [];
}

/**
 * Everything of this job's destination that exists now: each subset's output, shards with the
 * output's name, every output the manifest at this name lists (an output is its manifest and
 * the files it lists, replaced as a whole: none is left behind unrecorded), and the manifest.
 */
export async function destinationEntries(layout: OutputLayout): Promise<DestinationEntry[]> {
  const manifestStat = await lstat(layout.manifest).catch(() => null);
  const manifest = manifestStat?.isFile() ? await readOwnManifest(layout.manifest) : null;
  const paths = new Set<string>();
  for (const subset of layout.subsets) {
    paths.add(outputPath(layout, subset));
    for (const shard of await existingShards(layout, subset)) paths.add(shard);
  }
  for (const name of manifest?.outputs ?? []) paths.add(join(dirname(layout.manifest), name));
  paths.add(layout.manifest);
  const out: DestinationEntry[] = [];
  for (const path of paths) {
    const entry = await classify(path, layout, manifest?.outputs ?? null);
    if (entry) out.push(entry);
  }
  return out;
}

/**
 * Checks a planned layout against its input (when given) and what is there now. A job runs it
 * at its start; `publish` checks again just before it moves anything.
 * @throws Img2npyError `invalid-option` when an output would be the input or contain it;
 *   `output-exists` when something is there (without overwrite), or something img2npy did not
 *   write is there (with overwrite), naming the path and what it is.
 */
export async function checkOutputsFree(layout: OutputLayout, overwrite: boolean, input?: string): Promise<DestinationState> {
  const warnings: string[] = [];
  if (input !== undefined) warnings.push(...(await checkAgainstInput(layout, input)));
  const existing = await destinationEntries(layout);
  for (const e of existing) {
    if (!e.ours) {
      throw new Img2npyError(
        'output-exists',
        `Output ${e.path} already exists and is ${e.what}; img2npy replaces only outputs it wrote itself${overwrite ? ', even with --overwrite' : ''}: move it away or choose another destination (--out)`,
        { file: e.path },
      );
    }
    if (!overwrite) {
      throw new Img2npyError('output-exists', `Output ${e.path} already exists (${e.what} from an earlier run); turn on overwrite (--overwrite) to replace it`, { file: e.path });
    }
  }
  return { layout, existing, warnings };
}

/**
 * The destination rules for shells, before a job starts (the job checks again at its start and
 * once more just before it publishes). The desktop app calls this to show what is there and to
 * refuse the same destinations the CLI refuses.
 * @example
 * const { existing, warnings } = await checkDestination('flowers', 'flowers.npz', { overwrite: false });
 * @throws Img2npyError `invalid-option` (option `out`) for a bad name or an output that is or
 *   contains the input; `output-exists` naming the path and what is there when it may not be
 *   replaced (anything without overwrite; anything img2npy did not write, even with it).
 */
export async function checkDestination(
  input: string,
  output: string,
  opts: { overwrite: boolean; options?: Partial<ConvertOptions> },
): Promise<DestinationState> {
  const options = { ...defaultOptions(), ...opts.options };
  return checkOutputsFree(planOutputs(output, options, 'check'), opts.overwrite, input);
}
