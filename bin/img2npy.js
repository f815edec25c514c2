#!/usr/bin/env node
// Thin shim: the CLI is compiled to out/node by `npm run build` (fast start, no TypeScript loader).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../out/node/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('img2npy: not built yet; run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n');
  process.exit(2);
}
const { main } = await import(entry.href);
await main();
