/**
 * The rules of docs/architecture.md, checked on the real tree: data flows one way through the
 * stage folders, shells reach the engine only through src/core/index.ts, and nothing imports in
 * a circle. A rule broken by a future change fails here with the importing file named.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/cli.js';

interface Source {
  file: string; // repo-relative, '/'-separated
  lines: number;
  /** Repo-relative targets of relative imports (type-only ones included), and bare specifiers. */
  local: string[];
  bare: string[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(path, out);
    else if (/\.(ts|svelte|js)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function read(file: string): Source {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const local: string[] = [];
  const bare: string[] = [];
  for (const [, spec] of text.matchAll(specifier)) {
    if (!spec.startsWith('.')) {
      bare.push(spec);
      continue;
    }
    const target = relative(repoRoot, resolve(repoRoot, dirname(file), spec)).split('\\').join('/');
    local.push(target.replace(/\.js$/, '.ts'));
  }
  return { file, lines: text.split('\n').length, local, bare };
}

const sources = [...walk('src'), ...walk('e2e'), ...walk('bench'), ...walk('bin')].map(read);
const srcSources = sources.filter((s) => s.file.startsWith('src/'));

/** Every strongly connected group of more than one file (or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

test('the cycle finder finds a cycle, and none in a chain', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), []);
});

test('nothing in src imports in a circle (type-only imports included)', () => {
  const graph = new Map(srcSources.map((s) => [s.file, s.local]));
  assert.deepEqual(cycles(graph), []);
});

test('shells reach the engine only through src/core/index.ts', () => {
  const shells = sources.filter((s) => !s.file.startsWith('src/core/') && !s.file.startsWith('src/shared/'));
  const breaches = shells.flatMap((s) =>
    s.local.filter((t) => (t.startsWith('src/core/') || t.startsWith('out/node/core/')) && !/core\/index\.(ts|js)$/.test(t)).map((t) => `${s.file} -> ${t}`),
  );
  assert.deepEqual(breaches, []);
});

/** What each part of core may import besides its own folder, src/shared and core/types.ts. */
const mayImport: Record<string, readonly string[]> = {
  scan: [],
  geometry: [],
  decode: ['geometry'],
  tensor: ['geometry'],
  arrays: ['tensor', 'decode'],
  job: ['scan', 'decode', 'geometry', 'tensor', 'arrays'],
  'presets.ts': [],
  'types.ts': [],
  'index.ts': ['scan', 'decode', 'geometry', 'tensor', 'arrays', 'job', 'presets.ts', 'types.ts'],
};

function corePart(file: string): string | null {
  if (!file.startsWith('src/core/')) return null;
  return file.slice('src/core/'.length).split('/')[0];
}

test('data flows one way through the stage folders of src/core', () => {
  const parts = new Set<string>();
  const breaches: string[] = [];
  for (const s of srcSources) {
    const from = corePart(s.file);
    if (from === null) continue;
    parts.add(from);
    for (const t of s.local) {
      const to = corePart(t);
      if (to === null) {
        if (!t.startsWith('src/shared/')) breaches.push(`${s.file} -> ${t} (outside core and shared)`);
        continue;
      }
      if (to === from || to === 'types.ts') continue;
      if (!(mayImport[from] ?? []).includes(to)) breaches.push(`${s.file} -> ${t}`);
    }
    if (s.bare.some((b) => b === 'electron' || b.startsWith('electron/'))) breaches.push(`${s.file} imports electron`);
  }
  assert.deepEqual(breaches, []);
  // A new folder or top-level file must be placed in the rules (and in docs/architecture.md).
  assert.deepEqual([...parts].filter((p) => !(p in mayImport)), []);
});

test('src/shared uses neither Node nor Electron (the renderer compiles it too)', () => {
  const breaches = srcSources
    .filter((s) => s.file.startsWith('src/shared/'))
    .flatMap((s) => [...s.bare.filter((b) => b.startsWith('node:') || b === 'electron'), ...s.local.filter((t) => !t.startsWith('src/shared/'))].map((b) => `${s.file} -> ${b}`));
  assert.deepEqual(breaches, []);
});

test('no source file is over 400 lines', () => {
  const long = srcSources.filter((s) => s.lines > 400).map((s) => `${s.file}: ${s.lines}`);
  assert.deepEqual(long, []);
});

test('tests mirror src: every test folder under test/core names a stage folder that exists', () => {
  const stageDirs = new Set(readdirSync(join(repoRoot, 'src/core'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name));
  const testDirs = readdirSync(join(repoRoot, 'test/core'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.deepEqual(testDirs.filter((d) => !stageDirs.has(d)), []);
});
