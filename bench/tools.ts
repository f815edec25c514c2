/**
 * The command line of every contender. Each tool also knows how to check its own run, so a tool
 * that skipped files or failed quietly can never post a fast figure.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhotoFile } from './datasets.js';
import type { RunResult } from './measure.js';

export const python = '/usr/bin/python3';
const node = process.execPath;

export interface Tool {
  id: string;
  label: string;
  command: string;
  args: string[];
  /** Why the tool cannot run on this checkout (e.g. the CLI is not built); null when it can. */
  unavailable: string | null;
  /** Error text when the run is not a valid measurement, null when it is. */
  check: (run: RunResult) => string | null;
  /** Images per second excluding process start-up, when the tool reports its own timing. */
  innerRate: (run: RunResult) => number | null;
}

export interface Job {
  root: string;
  images: number;
  /** "HxW", e.g. 224x224. */
  size: string;
  jobs: number;
  outDir: string;
}

function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const lines = stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function failed(run: RunResult): string | null {
  return run.code === 0 ? null : `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;
}

/**
 * img2npy's own argument list for a conversion; `extra` carries mode flags such as --like keras.
 * No --jobs unless `extra` says so (the scaling rows): each tool runs as its users would run it,
 * ours with its default (one decoder thread per core), the baselines with one worker or process
 * per core.
 */
export function oursArgs(job: Job, name: string, extra: string[]): string[] {
  return ['bin/img2npy.js', 'convert', job.root, '--out', join(job.outDir, `${name}.npz`), ...extra, '--overwrite', '--json'];
}

export function ours(job: Job, id: string, label: string, extra: string[], unavailable: string | null): Tool {
  return {
    id,
    label,
    command: node,
    args: oursArgs(job, id, extra),
    unavailable,
    check: (run) => {
      const err = failed(run);
      if (err) return err;
      // The last NDJSON line is the report: its shape proves every image landed in x.
      const shape = lastJsonLine(run.stdout)?.shape;
      if (Array.isArray(shape) && shape[0] !== job.images) return `x has ${shape[0]} images, expected ${job.images}`;
      return null;
    },
    innerRate: (run) => {
      const timings = lastJsonLine(run.stdout)?.timings as { totalMs?: number } | undefined;
      return timings?.totalMs ? job.images / (timings.totalMs / 1000) : null;
    },
  };
}

function pythonTool(job: Job, id: string, label: string, script: string, extra: string[], command = python): Tool {
  return {
    id,
    label,
    command,
    args: [join('bench', 'baselines', script), job.root, join(job.outDir, `${id}.npz`), job.size, ...extra],
    unavailable: null,
    check: (run) => {
      const err = failed(run);
      if (err) return err;
      const images = lastJsonLine(run.stdout)?.images;
      return images === job.images ? null : `reported ${String(images)} images, expected ${job.images}`;
    },
    innerRate: (run) => {
      const seconds = lastJsonLine(run.stdout)?.seconds;
      return typeof seconds === 'number' ? job.images / seconds : null;
    },
  };
}

export const pilLoop = (job: Job): Tool => pythonTool(job, 'pil', 'PIL loop + np.stack + np.savez', 'pil-loop.py', []);

/** The PIL loop over multiprocessing.Pool(cores); with `draft`, JPEGs decode at a reduced DCT scale. */
export const pilPool = (job: Job, draft: boolean): Tool =>
  pythonTool(job, draft ? 'pil-pool-draft' : 'pil-pool', `PIL Pool(${job.jobs})${draft ? ' with draft()' : ''}`, 'pil-pool.py', [String(job.jobs), ...(draft ? ['draft'] : [])]);

export const opencvLoop = (job: Job): Tool => pythonTool(job, 'opencv', 'OpenCV loop (imread + resize INTER_AREA)', 'opencv-loop.py', []);

/** The decode floor: read + TurboJPEG DCT-scaled decode in `jobs` worker threads, nothing else; `id` tells a second thread count apart. */
export const turboFloor = (job: Job, id = 'floor'): Tool =>
  pythonTool(job, id, `floor: read + TurboJPEG DCT-scaled decode, ${job.jobs} thread${job.jobs === 1 ? '' : 's'}`, 'turbo-floor.mjs', [String(job.jobs)], node);

export const torchvisionLoader = (job: Job): Tool =>
  pythonTool(job, 'torchvision', `torchvision ImageFolder + DataLoader(num_workers=${job.jobs})`, 'torchvision-loader.py', [String(job.jobs)]);

/** libjpeg's scale factor 1/N that shrink-on-load would pick: the largest keeping the short side >= target. */
export function dctScale(file: PhotoFile, targetShort: number): number {
  const short = Math.min(file.width, file.height);
  for (const n of [8, 4, 2]) if (Math.ceil(short / n) >= targetShort) return n;
  return 1;
}

/**
 * A djpeg decode-limit tool over the photos: full decode, or DCT-scaled decode to at least
 * `targetShort` pixels on the short side. Writes the argument list djpeg-limit.sh reads.
 */
export async function djpegLimit(job: Job, files: PhotoFile[], mode: 'full' | 'scaled', targetShort: number): Promise<Tool> {
  const list = join(job.outDir, `djpeg-${mode}.txt`);
  const lines = files.map((f) => {
    const n = mode === 'full' ? 1 : dctScale(f, targetShort);
    return n === 1 ? f.path : `-scale 1/${n} ${f.path}`;
  });
  await writeFile(list, lines.join('\n') + '\n');
  const label = mode === 'full' ? `djpeg full decode, ${job.jobs} processes` : `djpeg -scale 1/N (DCT-scaled), ${job.jobs} processes`;
  return {
    id: `djpeg-${mode}`,
    label,
    command: 'bash',
    args: [join('bench', 'baselines', 'djpeg-limit.sh'), list, String(job.jobs)],
    unavailable: null,
    check: failed,
    innerRate: () => null,
  };
}
