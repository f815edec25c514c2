/**
 * Per-channel statistics of an existing x array, for `inspect`: taken from the manifest a
 * conversion wrote beside its output when that manifest describes exactly this file, otherwise
 * computed from the array in bounded blocks of rows.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';
import type { Layout } from '../../shared/options.js';
import type { ArrayInfo, ChannelStats } from '../../shared/report.js';
import { ChannelStatsAccumulator, type ChannelStatsDtype } from './channel-stats.js';
import { sizeOf } from './npy-io.js';
import type { ArrayRows } from './stats.js';

/** A manifest larger than this is not one of ours (they hold options, counts and skipped files). */
const maxManifestBytes = 64 << 20;
/** Values read per block when computing: memory stays bounded whatever the array's size. */
const blockValues = 4 << 20;

interface ManifestOutput {
  files?: unknown;
  bytes?: unknown;
  stats?: unknown;
}

/**
 * Manifests that may describe `path`: `<stem>.manifest.json` for the name and for each shorter
 * name left by dropping a trailing `-part` (`d-train-00000-of-00002.npz` → d-train-00000-of, …, d).
 */
function manifestCandidates(path: string): string[] {
  const dir = dirname(path);
  let stem = basename(path).replace(/\.npz$/i, '');
  const out: string[] = [];
  for (let i = 0; i < 8 && stem.length > 0; i++) {
    out.push(join(dir, `${stem}.manifest.json`));
    const cut = stem.lastIndexOf('-');
    if (cut <= 0) break;
    stem = stem.slice(0, cut);
  }
  return out;
}

function isChannelStats(v: unknown): v is ChannelStats {
  const s = v as ChannelStats;
  const numbers = (a: unknown) => Array.isArray(a) && a.length > 0 && a.every((n) => typeof n === 'number');
  return typeof v === 'object' && v !== null && numbers(s.mean) && numbers(s.std) && s.mean.length === s.std.length;
}

/**
 * What the manifest beside `path` says: the stats when one of its outputs is exactly this one
 * file or folder (same name, same size: it has not been rewritten since), and the layout of x.
 */
async function fromManifest(path: string): Promise<{ stats: ChannelStats | null; layout: Layout | null }> {
  const name = basename(path);
  for (const candidate of manifestCandidates(path)) {
    const s = await stat(candidate).catch(() => null);
    if (!s?.isFile() || s.size > maxManifestBytes) continue;
    let manifest: { outputs?: unknown; options?: { layout?: unknown } };
    try {
      manifest = JSON.parse(await readFile(candidate, 'utf8'));
    } catch {
      continue;
    }
    if (!Array.isArray(manifest?.outputs)) continue;
    const outputs = manifest.outputs as ManifestOutput[];
    const mine = outputs.find((o) => Array.isArray(o.files) && o.files.some((f) => typeof f === 'string' && basename(f) === name));
    if (!mine) continue;
    const layout = manifest.options?.layout === 'nchw' || manifest.options?.layout === 'nhwc' ? manifest.options.layout : null;
    const whole = (mine.files as unknown[]).length === 1 && typeof mine.bytes === 'number' && (await sizeOf(path).catch(() => -1)) === mine.bytes;
    return { stats: whole && isChannelStats(mine.stats) ? mine.stats : null, layout };
  }
  return { stats: null, layout: null };
}

/** nchw when the manifest says so, else guessed as the contact sheet guesses: channels first only when they look like channels and the last axis does not. */
function guessLayout(shape: number[]): Layout {
  const looksLikeChannels = (n: number) => n === 1 || n === 3 || n === 4;
  return looksLikeChannels(shape[1]) && !looksLikeChannels(shape[3]) ? 'nchw' : 'nhwc';
}

/**
 * Per-channel mean and std of x (shape [N, H, W, C] or [N, C, H, W]); null for arrays of other
 * ranks or dtypes and for empty ones.
 * @example await xChannelStats('d.npz', xInfo, (s, n) => file.readRows('x', s, n)) // { mean: [...], std: [...], source: 'manifest' }
 * @throws {Img2npyError} from reading the array (truncated data) or cancelled.
 */
export async function xChannelStats(
  path: string,
  x: ArrayInfo,
  readRows: (start: number, count: number) => Promise<ArrayRows>,
  signal?: AbortSignal,
): Promise<(ChannelStats & { source: 'manifest' | 'computed' }) | null> {
  const dtypes: string[] = ['uint8', 'float32', 'float16'];
  if (x.shape.length !== 4 || !dtypes.includes(x.dtype) || x.shape[0] === 0) return null;
  const manifest = await fromManifest(path);
  if (manifest.stats) return { ...manifest.stats, source: 'manifest' };
  const layout = manifest.layout ?? guessLayout(x.shape);
  const acc = new ChannelStatsAccumulator({ dtype: x.dtype as ChannelStatsDtype, rowShape: x.shape.slice(1), layout });
  const rowValues = x.shape[1] * x.shape[2] * x.shape[3];
  const rowsPerBlock = Math.max(1, Math.floor(blockValues / Math.max(1, rowValues)));
  for (let start = 0; start < x.shape[0]; start += rowsPerBlock) {
    if (signal?.aborted) throw new Img2npyError('cancelled', `Cancelled while reading ${path}`, { file: path });
    acc.addValues((await readRows(start, Math.min(rowsPerBlock, x.shape[0] - start))) as Uint8Array | Float32Array | Uint16Array);
  }
  const stats = acc.result();
  return stats && { ...stats, source: 'computed' };
}
