import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Preset } from '../src/shared/presets.js';
import { launchApp, repoRoot, setOption } from './support/bridge.js';

const exec = promisify(execFile);

async function cliPresets(configHome: string): Promise<Preset[]> {
  const bin = join(repoRoot, 'bin', 'img2npy.js');
  assert.ok(existsSync(join(repoRoot, 'out', 'node', 'cli', 'main.js')), 'the CLI is built (npm run build)');
  const { stdout } = await exec(process.execPath, [bin, 'presets', 'list', '--json'], { env: { ...process.env, XDG_CONFIG_HOME: configHome } });
  const result = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; data?: Preset[] }).find((l) => l.type === 'result');
  return result?.data ?? [];
}

test('a preset saved in the app is listed by the CLI', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await setOption(app, 'Size (HxW)', '32x32');
  await page.getByLabel('dtype', { exact: true }).selectOption('float32');
  await page.getByRole('button', { name: 'Save as…' }).click();
  await page.getByLabel('Preset name').fill('e2e small');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved preset e2e small').waitFor();

  const listed = await cliPresets(app.configHome);
  assert.deepEqual(listed, [{ name: 'e2e small', options: { size: { height: 32, width: 32 }, dtype: 'float32' } }]);
  assert.deepEqual(app.problems, []);
});

test('presets load, rename, export, import and delete', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await setOption(app, 'Size (HxW)', '20x24');
  await page.getByRole('button', { name: 'Save as…' }).click();
  // The shared name rule is checked as you type.
  await page.getByLabel('Preset name').fill('bad/name');
  await page.locator('#preset-name-issue').waitFor();
  await page.getByLabel('Preset name').fill('mine');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved preset mine').waitFor();

  await page.getByRole('button', { name: 'Reset Size (HxW) to its default' }).click();
  assert.equal(await page.getByLabel('Size (HxW)', { exact: true }).inputValue(), '');
  await page.getByLabel('Preset', { exact: true }).selectOption('mine');
  await page.getByRole('button', { name: 'Load' }).click();
  assert.equal(await page.getByLabel('Size (HxW)', { exact: true }).inputValue(), '20x24');

  await page.getByRole('button', { name: 'Rename…' }).click();
  await page.getByLabel(/New name for mine/).fill('renamed');
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await page.getByText('Renamed to renamed').waitFor();

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export' }).click();
  const exportedPath = join(app.dir, 'renamed.json');
  await (await download).saveAs(exportedPath);
  const exported = JSON.parse(await readFile(exportedPath, 'utf8')) as Preset;
  assert.equal(exported.name, 'renamed');
  assert.deepEqual(exported.options, { size: { height: 20, width: 24 } });

  const importPath = join(app.dir, 'imported.json');
  await writeFile(importPath, JSON.stringify({ name: 'from file', options: { color: 'grayscale' } }));
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(importPath);
  await page.getByText('Imported preset from file').waitFor();

  await page.getByLabel('Preset', { exact: true }).selectOption('renamed');
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Deleted preset renamed').waitFor();
  const names = await page.locator('#preset-select option').allTextContents();
  assert.deepEqual(names, ['Choose a preset…', 'from file']);
  assert.deepEqual(app.problems, []);
});
