/** A full disk mid-write: exit 1, a message naming the path, and nothing left behind. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, makeSolidFolder } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('disk full while writing: exit 1 naming the path, temporary files removed', async (t) => {
  const dir = await tempDir(t);
  const small = join(dir, 'small');
  await mkdir(small);
  if (!tryMountTmpfs(small, '256k')) {
    t.skip('cannot mount a small tmpfs here (needs root); disk-full behaviour not exercised');
    return;
  }
  try {
    await fillAndCheck(dir, small);
  } finally {
    // Unmount before the temp folder's own clean-up runs (after-hooks run in order).
    execFileSync('umount', [small]);
  }
});

async function fillAndCheck(dir: string, small: string): Promise<void> {
  const root = join(dir, 'in');
  await makeSolidFolder(root, { a: [1, 2, 3], b: [4, 5, 6] }, 20);
  // 40 × 64×64×3 bytes ≈ 480 KiB of x: more than the 256 KiB file system holds.
  const r = await cli(['convert', root, '--out', join(small, 'o.npz'), '--size', '64x64']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`${small.replace(/[/.]/g, '\\$&')}\\S*`));
  assert.match(r.stderr, /ENOSPC|no space/i);
  assert.deepEqual(await readdir(small), []);
}
