/**
 * libjpeg-turbo's TurboJPEG API, called directly through koffi (a prebuilt FFI, no compiler).
 * sharp/libvips spends 1-2 ms of fixed cost per image; TurboJPEG decodes a 500×375 JPEG in
 * about 0.6 ms and can decode at every M/8 scale in the DCT domain.
 *
 * The library is loaded lazily, once per thread (module state is per worker_thread), and may be
 * missing: `turboJpeg()` then answers null with the reason, and JPEGs go through sharp.
 * TurboJPEG handles are not thread-safe, so each call takes its own from a small free list.
 * On the main thread decodes run on koffi's thread pool (`.async`) so the event loop and other
 * decodes keep going; inside a worker thread they run synchronously (the worker is the thread).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { LibraryHandle } from 'koffi';

type KoffiFunction = ReturnType<LibraryHandle['func']>;

/** TJPF_* output pixel formats we use. */
export const pixelFormats = { rgb: 0, gray: 6, cmyk: 11 } as const;
export type TurboPixelFormat = keyof typeof pixelFormats;

/** TJCS_* colour spaces of the JPEG itself. */
export const jpegColorspaces = ['rgb', 'ycbcr', 'gray', 'cmyk', 'ycck'] as const;
export type JpegColorspace = (typeof jpegColorspaces)[number];

const flagFastDct = 2048; // TJFLAG_FASTDCT: libjpeg's IFAST, TensorFlow decode_jpeg's default
const flagAccurateDct = 4096; // TJFLAG_ACCURATEDCT: ISLOW, libjpeg's and PIL's default
const flagStopOnWarning = 8192; // TJFLAG_STOPONWARNING: only then is a warning's text kept on the handle
const flagLimitScans = 32768; // TJFLAG_LIMITSCANS: refuse progressive JPEGs with >500 scans (a DoS)
const errWarning = 0; // TJERR_WARNING

export interface JpegHeader {
  width: number;
  height: number;
  colorspace: JpegColorspace;
}

export interface ScalingFactor {
  num: number;
  denom: number;
}

export type DecompressResult =
  /**
   * `borrowed`: `data` is this thread's decode scratch (worker threads only, where decodes run one
   * at a time), valid until the thread's next decompress; copy what must outlive that.
   */
  | { ok: true; data: Uint8Array; width: number; height: number; warned: boolean; borrowed: boolean }
  | { ok: false; error: string; warning: boolean };

export interface DecompressOptions {
  dct: 'fast' | 'accurate';
  stopOnWarning: boolean;
  /**
   * Where a worker thread decodes to instead of its scratch (null: the scratch), e.g. the
   * resampler's own memory (resampleScratch); ignored on the main thread. The result is borrowed
   * from it alike: as with the scratch, one decode at a time per thread, each used before the
   * next begins (the job's decoder threads work that way).
   */
  into?: (bytes: number) => Uint8Array | null;
}

export interface TurboJpeg {
  /** e.g. "libturbojpeg.so.0". */
  library: string;
  /** Reduced-size decodes the library offers, largest first (2/1 … 1/8). */
  scalingFactors: ScalingFactor[];
  header(jpeg: Uint8Array): JpegHeader | { error: string };
  /**
   * Decodes to `format` at `width`×`height` (a scaled size: `scaledSize`), fancy upsampling,
   * ISLOW or IFAST DCT. A libjpeg warning (corrupt data it can decode past) stops the decode
   * with `{ ok: false, warning: true }` and its text when `stopOnWarning`; otherwise the pixels
   * come back with `warned` (TurboJPEG 2.x keeps no text for a warning it did not stop on).
   */
  decompress(jpeg: Uint8Array, width: number, height: number, format: TurboPixelFormat, opts: DecompressOptions): Promise<DecompressResult>;
}

/** TJSCALED: a dimension decoded at num/denom. */
export function scaledSize(dim: number, f: ScalingFactor): number {
  return Math.floor((dim * f.num + f.denom - 1) / f.denom);
}

const libraryNames: Record<string, string[]> = {
  linux: ['libturbojpeg.so.0', 'libturbojpeg.so'],
  darwin: ['/opt/homebrew/opt/jpeg-turbo/lib/libturbojpeg.dylib', '/usr/local/opt/jpeg-turbo/lib/libturbojpeg.dylib', 'libturbojpeg.dylib', 'libturbojpeg.0.dylib'],
  win32: ['turbojpeg.dll', 'C:\\libjpeg-turbo64\\bin\\turbojpeg.dll'],
};

let loaded: { turbo: TurboJpeg | null; problem: string | null } | null = null;

/**
 * The TurboJPEG binding of this thread, loaded on first use; null when the library (or koffi)
 * is not available, with `turboJpegProblem()` saying why.
 */
export function turboJpeg(): TurboJpeg | null {
  if (!loaded) loaded = load();
  return loaded.turbo;
}

/** Why `turboJpeg()` is null (null when it is not). */
export function turboJpegProblem(): string | null {
  if (!loaded) loaded = load();
  return loaded.problem;
}

/** The library file a packaged app carries in its resources (see bundledTurboJpegEnv). */
const bundledNames: Record<string, string> = { linux: 'libturbojpeg.so.0', darwin: 'libturbojpeg.dylib', win32: 'turbojpeg.dll' };

/**
 * The environment that points an engine process at the TurboJPEG library the packaged app
 * carries (electron-builder extraResources: `<resources>/turbojpeg/<library>`, copied there by
 * scripts/vendor-turbojpeg.sh), so a user needs no system package; empty where the app carries
 * none (then the system's library, else sharp). An IMG2NPY_TURBOJPEG already set wins.
 * @example fork(engine, { env: { ...process.env, ...bundledTurboJpegEnv(process.resourcesPath, process.env) } });
 */
export function bundledTurboJpegEnv(resourcesPath: string | undefined, env: NodeJS.ProcessEnv, platform: string = process.platform): NodeJS.ProcessEnv {
  const name = bundledNames[platform];
  if (!resourcesPath || !name || env.IMG2NPY_TURBOJPEG) return {};
  const file = join(resourcesPath, 'turbojpeg', name);
  return existsSync(file) ? { IMG2NPY_TURBOJPEG: file } : {};
}

function load(): { turbo: TurboJpeg | null; problem: string | null } {
  if (process.env.IMG2NPY_NO_TURBOJPEG) return { turbo: null, problem: 'disabled by IMG2NPY_NO_TURBOJPEG' };
  let koffi: typeof import('koffi');
  try {
    koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  } catch (err) {
    return { turbo: null, problem: `koffi could not be loaded (${(err as Error).message.split('\n')[0]})` };
  }
  // A library named by IMG2NPY_TURBOJPEG (the packaged app's own copy, or the user's) is the
  // only one tried: if it cannot be used, the reason names it rather than another being taken.
  const chosen = process.env.IMG2NPY_TURBOJPEG;
  const names = chosen ? [chosen] : (libraryNames[process.platform] ?? ['libturbojpeg.so.0']);
  for (const name of names) {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(name);
    } catch (err) {
      if (chosen) return { turbo: null, problem: `IMG2NPY_TURBOJPEG=${chosen} could not be loaded (${(err as Error).message.split('\n')[0]})` };
      continue;
    }
    try {
      return { turbo: bind(koffi, lib, name), problem: null };
    } catch (err) {
      return { turbo: null, problem: `${name} is not a usable TurboJPEG library (${(err as Error).message})` };
    }
  }
  return { turbo: null, problem: 'libturbojpeg was not found' };
}

function bind(koffi: typeof import('koffi'), lib: LibraryHandle, library: string): TurboJpeg {
  const tjhandle = koffi.pointer('tjhandle', koffi.opaque());
  const factorType = koffi.struct('tjscalingfactor', { num: 'int', denom: 'int' });
  const initDecompress = lib.func('tjInitDecompress', tjhandle, []);
  const destroy = lib.func('tjDestroy', 'int', [tjhandle]);
  const errorStr = lib.func('tjGetErrorStr2', 'str', [tjhandle]);
  const errorCode = lib.func('tjGetErrorCode', 'int', [tjhandle]);
  const header3 = lib.func('tjDecompressHeader3', 'int', [tjhandle, 'const uint8_t *', 'unsigned long', koffi.out('int *'), koffi.out('int *'), koffi.out('int *'), koffi.out('int *')]);
  const decompress2: KoffiFunction = lib.func('tjDecompress2', 'int', [tjhandle, 'const uint8_t *', 'unsigned long', 'uint8_t *', 'int', 'int', 'int', 'int', 'int']);
  const getFactors = lib.func('tjGetScalingFactors', koffi.pointer(factorType), [koffi.out('int *')]);

  const count = [0];
  const ptr = getFactors(count);
  const scalingFactors = (koffi.decode(ptr, factorType, count[0]) as ScalingFactor[]).map((f) => ({ num: f.num, denom: f.denom }));
  scalingFactors.sort((a, b) => b.num / b.denom - a.num / a.denom);

  const free: unknown[] = [];
  const take = (): unknown => {
    const h = free.pop() ?? initDecompress();
    if (!h) throw new Error('tjInitDecompress failed');
    return h;
  };
  // A few idle handles are kept (each holds libjpeg's state, a few KB); the rest are destroyed.
  const give = (h: unknown): void => {
    if (free.length < 8) free.push(h);
    else destroy(h);
  };
  const sync = !isMainThread;
  let scratch = new ArrayBuffer(0);
  const scratchBytes = (length: number): Uint8Array => {
    if (scratch.byteLength < length) scratch = new ArrayBuffer(length);
    return new Uint8Array(scratch, 0, length);
  };

  return {
    library,
    scalingFactors,
    header(jpeg) {
      const h = take();
      try {
        const w = [0];
        const hh = [0];
        const sub = [0];
        const cs = [0];
        if (header3(h, jpeg, jpeg.length, w, hh, sub, cs) !== 0) return { error: errorStr(h) as string };
        return { width: w[0], height: hh[0], colorspace: jpegColorspaces[cs[0]] ?? 'ycbcr' };
      } finally {
        give(h);
      }
    },
    async decompress(jpeg, width, height, format, { dct, stopOnWarning, into }) {
      const bands = format === 'gray' ? 1 : format === 'rgb' ? 3 : 4;
      // A worker thread decodes one image at a time, so it decodes into one grow-only scratch:
      // a fresh buffer per image costs a page fault per 4 KiB on first touch (see row-buffers.ts).
      // The main thread may run several decodes at once on libuv's pool, so it allocates.
      const bytes = width * height * bands;
      const data = sync ? (into?.(bytes) ?? scratchBytes(bytes)) : new Uint8Array(bytes);
      const flags = (dct === 'fast' ? flagFastDct : flagAccurateDct) | flagLimitScans | (stopOnWarning ? flagStopOnWarning : 0);
      const h = take();
      try {
        const args = [h, jpeg, jpeg.length, data, width, 0, height, pixelFormats[format], flags];
        let rc: number = sync
          ? decompress2(...args)
          : await new Promise<number>((resolve, reject) => decompress2.async(...args, (err: unknown, res: number) => (err ? reject(err) : resolve(res))));
        if (rc === 0) return { ok: true, data, width, height, warned: false, borrowed: sync };
        const warning = errorCode(h) === errWarning;
        if (warning && !stopOnWarning) return { ok: true, data, width, height, warned: true, borrowed: sync };
        // libjpeg's message lives in a thread-local buffer of the thread that decoded: after a
        // pool-thread failure (rare) the decode is repeated here to read it.
        if (!sync) rc = decompress2(...args);
        return { ok: false, error: errorStr(h) as string, warning };
      } finally {
        give(h);
      }
    },
  };
}
