import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { py } from '../test/helpers/python.js';
import { type AppUnderTest, chooseFolder, chooseOutput, launchApp, openGroup, setOption } from './support/bridge.js';
import { makeSlowSet, makeSmallSet, smallSet } from './support/fixtures.js';

const npzSummary = `
import json, sys
import numpy as np
with np.load(sys.argv[1], allow_pickle=False) as d:
    out = {k: {"shape": list(d[k].shape), "dtype": str(d[k].dtype)} for k in d.files}
    out["y_values"] = sorted(set(int(v) for v in d["y"].tolist()))
    out["class_names"] = [str(s) for s in d["class_names"].tolist()]
print(json.dumps(out))
`;

async function startSlowJob(app: AppUnderTest): Promise<string> {
  const { page } = app;
  await chooseFolder(app, await makeSlowSet(app.dir));
  await page.getByTestId('scan-summary').waitFor();
  await setOption(app, 'Size (HxW)', '64x64');
  await openGroup(app, 'engine');
  await setOption(app, 'Jobs', '1');
  const outDir = join(app.dir, 'out');
  await mkdir(outDir);
  const output = join(outDir, 'slow.npz');
  await chooseOutput(app, output);
  await page.getByRole('button', { name: 'Convert' }).click();
  // Running, with some images done and many to go.
  await page.waitForFunction(() => {
    const bar = document.querySelector('[role="progressbar"]');
    const now = Number(bar?.getAttribute('aria-valuenow') ?? 0);
    return now > 0 && now < 60;
  });
  return output;
}

test('convert: progress reaches 100% and NumPy reads the arrays', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await chooseFolder(app, await makeSmallSet(app.dir));
  await setOption(app, 'Size (HxW)', '8x8');
  const output = join(app.dir, 'out', 'animals.npz');
  await mkdir(join(app.dir, 'out'));
  app.answers.output = output;
  await page.getByRole('button', { name: 'Choose…' }).click();
  await page.waitForFunction((o) => (document.getElementById('output-path') as HTMLInputElement).value === o, output);

  await page.getByRole('button', { name: 'Convert' }).click();
  await page.locator('[data-testid="progress"][data-status="done"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
  const last = app.progress.at(-1);
  assert.ok(last, 'progress events reached the window');
  assert.ok(last.phase === 'done' || last.done === last.total, `last progress event ${JSON.stringify(last)}`);

  const results = page.getByTestId('results');
  await results.waitFor();
  assert.equal(await page.getByTestId('result-shape').textContent(), `(${smallSet.total}, 8, 8, 3)`);
  assert.match((await results.textContent()) ?? '', /Images per class/);
  assert.equal((await results.locator('tr[data-class="cat"] td.num').textContent())?.trim(), '4');
  assert.equal((await results.locator('tr[data-array="x"]').textContent())?.includes('uint8'), true);
  assert.notEqual(await page.getByTestId('result-backend').textContent(), '');
  // Samples read back from the written file, and x's per-channel stats from the report.
  await page.getByTestId('result-samples').locator('img').first().waitFor();
  assert.match((await page.getByTestId('result-samples').textContent()) ?? '', /bird|cat|dog/);
  assert.match((await page.getByTestId('result-stats').textContent()) ?? '', /mean [\d.]+, [\d.]+, [\d.]+ · std/);

  const arrays = await py<Record<string, { shape: number[]; dtype: string }> & { y_values: number[]; class_names: string[] }>(npzSummary, [output]);
  assert.deepEqual(arrays.x, { shape: [smallSet.total, 8, 8, 3], dtype: 'uint8' });
  assert.deepEqual(arrays.y, { shape: [smallSet.total], dtype: 'int32' });
  assert.deepEqual(arrays.class_names, ['bird', 'cat', 'dog']);
  assert.deepEqual(arrays.y_values, [0, 1, 2]);

  await results.getByRole('button', { name: 'Show in folder' }).click();
  await page.waitForFunction(() => true);
  assert.deepEqual(app.shownInFolder, [output]);
  await app.screenshot('converted-light');
  assert.deepEqual(app.problems, []);
});

test('cancel mid-run stops the job and leaves no output', async (t) => {
  const app = await launchApp(t);
  const output = await startSlowJob(app);
  const { page } = app;
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('[data-testid="progress"][data-status="cancelled"]').waitFor({ timeout: 30_000 });
  assert.match((await page.getByTestId('progress-label').textContent()) ?? '', /Cancelled/);
  assert.equal(existsSync(output), false);
  assert.deepEqual(await readdir(join(app.dir, 'out')), [], 'no output and no temporary files');
  assert.equal(await page.getByRole('button', { name: 'Convert' }).isEnabled(), true);
  assert.deepEqual(app.problems, []);
});

test('a crashed engine is reported as engine-crashed, its temp files removed, and it restarts', async (t) => {
  const app = await launchApp(t);
  const output = await startSlowJob(app);
  const { page } = app;
  const engine = app.engines.at(-1);
  assert.ok(engine?.pid);
  engine.kill('SIGKILL');
  const alert = page.locator('.convert [role="alert"]');
  await alert.waitFor({ timeout: 30_000 });
  const text = (await alert.textContent()) ?? '';
  assert.match(text, /The engine crashed/);
  assert.match(text, /engine-crashed/);
  assert.equal(existsSync(output), false);
  assert.deepEqual(await readdir(join(app.dir, 'out')), [], 'temporary files removed after the crash');
  // The next request starts a fresh engine.
  await setOption(app, 'Size (HxW)', '32x32');
  await page.getByTestId('preview-shape').filter({ hasText: '(300, 32, 32, 3)' }).waitFor({ timeout: 30_000 });
  assert.ok(app.engines.length >= 2);
});

test('overwrite: main asks before replacing, naming the output; Keep it leaves it as it was', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await chooseFolder(app, await makeSmallSet(app.dir));
  await setOption(app, 'Size (HxW)', '8x8');
  const output = join(app.dir, 'animals.npz');
  // The suggested default sits beside the chosen folder, shown in full.
  await page.waitForFunction((o) => (document.getElementById('output-path') as HTMLInputElement).value === o, output);
  await page.getByRole('button', { name: 'Convert' }).click();
  await page.locator('[data-testid="progress"][data-status="done"]').waitFor({ timeout: 60_000 });
  assert.deepEqual(app.replaceAsked, [], 'nothing to replace the first time');

  // Again without overwrite: refused, in the window's words.
  await page.getByRole('button', { name: 'Convert' }).click();
  const alert = page.locator('.convert [role="alert"]');
  await alert.waitFor();
  const message = (await alert.locator('.message').textContent()) ?? '';
  assert.match(message, /Overwrite existing output/);
  assert.doesNotMatch(message, /--overwrite/);

  await page.getByLabel('Overwrite existing output').check();
  const before = await readFile(output);
  app.answers.replace = false;
  await page.getByRole('button', { name: 'Convert' }).click();
  await page.locator('[data-testid="progress"][data-status="cancelled"]').waitFor();
  assert.deepEqual(app.replaceAsked, [output]);
  assert.deepEqual(await readFile(output), before);

  app.answers.replace = true;
  await setOption(app, 'Size (HxW)', '4x4');
  await page.getByTestId('preview-shape').filter({ hasText: '(9, 4, 4, 3)' }).waitFor();
  await page.getByRole('button', { name: 'Convert' }).click();
  await page.locator('[data-testid="progress"][data-status="done"]').waitFor({ timeout: 60_000 });
  assert.equal(app.replaceAsked.length, 2);
  assert.equal(await page.getByTestId('result-shape').textContent(), `(${smallSet.total}, 4, 4, 3)`);
  assert.deepEqual(app.problems, []);
});
