/**
 * The manifest's versions come from package files, without loading sharp (libvips) on the main
 * thread, and say what sharp itself reports.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { repoRoot } from '../../helpers/cli.js';

const run = promisify(execFile);
const versionsModule = fileURLToPath(new URL('../../../src/core/job/versions.ts', import.meta.url));
const sharpModule = fileURLToPath(new URL('../../../src/core/decode/sharp.ts', import.meta.url));

test('engineVersions names sharp and libvips as sharp reports them, without loading sharp', async () => {
  const code = `
    const { engineVersions } = await import(${JSON.stringify(versionsModule)});
    const { sharpLoaded } = await import(${JSON.stringify(sharpModule)});
    const versions = await engineVersions();
    console.log(JSON.stringify({ versions, loaded: sharpLoaded() }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot });
  const { versions, loaded } = JSON.parse(stdout.trim());
  assert.equal(loaded, false, 'sharp was not loaded to read its version');
  assert.equal(versions.sharp, sharp.versions.sharp);
  assert.equal(versions.libvips, sharp.versions.vips);
  assert.equal(versions.node, process.versions.node);
});
