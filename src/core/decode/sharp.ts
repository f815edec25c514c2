/**
 * sharp, loaded with `require` (its CommonJS build: ~70 ms less start-up than `import`) and only
 * on first use. Decoder threads mostly never need it — JPEGs go through TurboJPEG and small PNGs
 * through our reader — and loading libvips costs each thread a few hundred ms before its first
 * image. So `sharp` is a stand-in that loads the real module the first time it is called or a
 * property is read; every caller keeps writing `sharp(input)` and `sharp.versions`.
 *
 * Process-wide setting, made once at load: `cache(false)`. libvips's operation cache keeps recent
 * operations and their inputs (by default up to 50 MB, 100 operations, 20 files) in case they are
 * asked for again; a conversion never asks twice, so the cache only holds memory and open files.
 */
import { createRequire } from 'node:module';
import type sharpFn from 'sharp';

type Sharp = typeof sharpFn;
let loaded: Sharp | null = null;

function load(): Sharp {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('sharp') as Sharp;
    loaded.cache(false);
  }
  return loaded;
}

export const sharp = new Proxy(function notLoadedYet() {} as unknown as Sharp, {
  apply: (_target, thisArg, args) => Reflect.apply(load(), thisArg, args),
  get: (_target, prop) => Reflect.get(load(), prop),
});

/** Whether this thread has loaded sharp (tests check that fast paths do not). */
export function sharpLoaded(): boolean {
  return loaded !== null;
}
