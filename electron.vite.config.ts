import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/main/csp.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Writes the one CSP (src/main/csp.ts) into index.html's meta tag. */
function cspMeta(dev: boolean): Plugin {
  return {
    name: 'img2npy-csp-meta',
    transformIndexHtml: (html) => html.replace('%IMG2NPY_CSP%', contentSecurityPolicy({ dev })),
  };
}

export default defineConfig(({ command }) => ({
  main: {
    build: {
      // Dependencies (sharp, @tensorflow/*, yauzl, ...) stay in node_modules, loaded at run time.
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          'engine-process': resolve(root, 'src/main/engine-process.ts'),
          'cli-process': resolve(root, 'src/main/cli-process.ts'),
          // The job's decoder threads load this file by name (src/core/job/worker-pool.ts).
          'decode-worker': resolve(root, 'src/core/job/decode-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        // A sandboxed preload is run as a CommonJS script; .cjs because package.json says "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [svelte(), cspMeta(command === 'serve')],
    build: {
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
}));
