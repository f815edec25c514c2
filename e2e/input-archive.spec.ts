/**
 * Browse archive…: a .tar.gz or .zip picked with its own dialog is scanned and converted in place
 * as its folder is (same summary, output named without the archive suffix), the listing's
 * progress reaches the window, and a cancelled pick or a file that is no archive changes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { chooseArchive, chooseFolder, launchApp, setOption } from './support/bridge.js';
import { makeSmallSet, smallSet } from './support/fixtures.js';

const run = promisify(execFile);

test('Browse archive… scans a .tar.gz as its folder, converts it, and the listing progress reaches the window', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await makeSmallSet(app.dir);
  const archive = join(app.dir, 'animals.tar.gz');
  await run('tar', ['czf', archive, '-C', app.dir, 'animals']);
  await chooseArchive(app, archive);

  const summary = page.getByTestId('scan-summary');
  await summary.waitFor();
  assert.equal(await page.getByLabel('Folder path').inputValue(), archive);
  assert.equal(await page.getByTestId('scan-total').textContent(), String(smallSet.total));
  assert.match((await page.getByTestId('scan-layout').textContent()) ?? '', new RegExp(`Archive\\s*${archive.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  for (const [name, count] of Object.entries(smallSet.classes)) {
    assert.equal((await summary.locator(`tr[data-class="${name}"] td.num`).textContent())?.trim(), String(count), name);
  }
  // Suggested by main beside the archive, without its suffix (it may land after the summary).
  await page.waitForFunction((o) => document.querySelector('[data-testid="output-path"]')?.textContent === o, join(app.dir, 'animals.npz'));

  await setOption(app, 'Size (HxW)', '8x8');
  await page.getByRole('button', { name: 'Convert' }).click();
  await page.locator('[data-testid="progress"][data-status="done"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('result-shape').textContent(), `(${smallSet.total}, 8, 8, 3)`);
  // The last listing event is sent at once (it completes the listing): the whole archive, every member.
  const listing = app.progress.filter((e) => e.membersFound !== undefined);
  assert.ok(listing.length > 0, 'no listing progress reached the window');
  const last = listing.at(-1)!;
  assert.equal(last.phase, 'scan');
  assert.equal(last.file, archive);
  assert.equal(last.done, last.total);
  // 3 class folders, 9 images, 2 text files and the top folder, as tar lists them.
  assert.equal(last.membersFound, 1 + 3 + smallSet.total + 2);
  assert.deepEqual(app.problems, []);
});

test('Browse archive…: a cancelled pick keeps the folder chosen; a file that is no archive is refused naming it', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  const folder = await makeSmallSet(app.dir);
  await chooseFolder(app, folder);
  await page.getByTestId('scan-summary').waitFor();

  await chooseArchive(app, null);
  await page.getByRole('button', { name: 'Browse archive…' }).waitFor();
  assert.equal(await page.getByLabel('Folder path').inputValue(), folder);

  const notes = join(app.dir, 'notes.gz');
  await writeFile(notes, 'not a tar');
  await chooseArchive(app, notes);
  const alert = page.locator('.notice [role="alert"]');
  await alert.waitFor();
  const text = (await alert.textContent()) ?? '';
  assert.match(text, /notes\.gz is not a \.zip, \.tar, \.tar\.gz, \.tgz archive/);
  assert.match(text, /input-unreadable/);
  assert.equal(await page.getByLabel('Folder path').inputValue(), folder);
  assert.equal(await page.getByTestId('scan-total').textContent(), String(smallSet.total));

  // The zip of the same folder is taken like the .tar.gz.
  await mkdir(join(app.dir, 'zips'));
  const zip = join(app.dir, 'zips', 'animals.zip');
  await run('python3', ['-c', 'import shutil,sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2], "animals")', zip.slice(0, -4), app.dir]);
  await chooseArchive(app, zip);
  await page.waitForFunction((z) => (document.getElementById('input-path') as HTMLInputElement | null)?.value === z, zip);
  // The summary is the zip's once its layout names it (the folder's stays shown until then).
  await page.waitForFunction((z) => document.querySelector('[data-testid="scan-layout"]')?.textContent?.includes(z) === true, zip);
  assert.equal(await page.getByTestId('scan-total').textContent(), String(smallSet.total));
  assert.deepEqual(app.problems, []);
});
