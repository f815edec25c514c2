// Bundles the decoder thread's entry (out/node/core/job/decode-worker.js, compiled by tsc) into
// that one file, in place: each thread of every conversion loads it at start, and resolving and
// compiling ~40 modules one by one took 100-300 ms per thread on 2 busy cores, one file ~30-60.
// Packages stay external (sharp, koffi, TensorFlow.js): they resolve from node_modules as before.
// Run by `npm run build` after tsc; src/ (tests under tsx) is untouched.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `${root}out/node/core/job/decode-worker.js`;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: Object.keys(pkg.dependencies),
  logLevel: 'warning',
});
