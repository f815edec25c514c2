// Bundles what tsc compiled into out/node, in place: the CLI (cli/main.js), the engine's public
// face (core/index.js, which the launcher imports first) and the decoder thread's entry, with
// the modules they share in out/node/chunks and dynamic imports kept lazy (code splitting).
// Every run loaded ~110 modules one by one on the main thread (~120 ms of the ~300 before the
// first image) and each decoder thread ~40; one file each is a fraction of that. Packages stay
// external (sharp, koffi, TensorFlow.js): they resolve from node_modules as before.
// The thread's entry is also written to out/node/decode-worker.js, where worker-pool.ts looks
// one folder up from a chunk. Run by `npm run build` after tsc; src/ (tests under tsx) is untouched.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}out/node`;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
// Chunk names carry a hash: the last build's would otherwise pile up.
rmSync(`${out}/chunks`, { recursive: true, force: true });
const common = {
  outdir: out,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: Object.keys(pkg.dependencies),
  logLevel: 'warning',
};
// The main thread's entries share chunks, and its lazy stages stay lazy (--help loads none).
await build({
  ...common,
  entryPoints: { 'cli/main': `${out}/cli/main.js`, 'core/index': `${out}/core/index.js` },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
});
// A decoder thread is its own isolate, sharing nothing loaded with the main thread: one file
// with everything it runs boots faster than its ~11 chunks did (each resolved and linked).
await build({
  ...common,
  entryPoints: { 'core/job/decode-worker': `${out}/core/job/decode-worker.js`, 'decode-worker': `${out}/core/job/decode-worker.js` },
  splitting: false,
});
