import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseFolder, launchApp, setOption } from './support/bridge.js';
import { makeSmallSet, smallSet } from './support/fixtures.js';

test('choosing a fixture folder shows classes, counts, formats and skipped files', async (t) => {
  const app = await launchApp(t);
  const folder = await makeSmallSet(app.dir);
  const { page } = app;
  await chooseFolder(app, folder);

  const summary = page.getByTestId('scan-summary');
  await summary.waitFor();
  assert.equal(await page.getByLabel('Folder path').inputValue(), folder);
  assert.equal(await page.getByTestId('scan-total').textContent(), String(smallSet.total));
  assert.equal(await page.getByTestId('scan-class-count').textContent(), '3');
  for (const [name, count] of Object.entries(smallSet.classes)) {
    assert.equal((await summary.locator(`tr[data-class="${name}"] td.num`).textContent())?.trim(), String(count), name);
  }
  const formats = (await page.getByTestId('scan-formats').textContent()) ?? '';
  for (const [ext, count] of Object.entries(smallSet.formats)) assert.match(formats, new RegExp(`${ext} × ${count}`));

  const skipped = summary.getByTestId('skipped');
  await skipped.locator('summary').click();
  const skippedText = (await skipped.textContent()) ?? '';
  assert.match(skippedText, /Files that will be skipped \(2\)/);
  assert.match(skippedText, /README\.txt/);
  assert.match(skippedText, /cat\/notes\.txt/);

  // The output path is suggested beside the folder.
  assert.equal(await page.getByTestId('output-path').textContent(), `${folder}.npz`);
  await app.screenshot('scan-summary-light');
  assert.deepEqual(app.problems, []);
});

test('a folder that does not exist shows a clear error and no summary', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  const missing = join(app.dir, 'no-such-folder');
  await chooseFolder(app, missing);

  const alert = page.locator('.scan [role="alert"]');
  await alert.waitFor();
  const text = (await alert.textContent()) ?? '';
  assert.match(text, /Cannot use this folder/);
  assert.match(text, /input-not-found/);
  assert.match(text, /no-such-folder/);
  assert.equal(await page.getByTestId('scan-summary').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Convert' }).isDisabled(), true);

  await app.screenshot('scan-error-light');
});

test('dropping a folder on the drop zone scans it', async (t) => {
  const app = await launchApp(t);
  const folder = await makeSmallSet(app.dir);
  const { page } = app;
  // Chromium gives dropped files no path; the bridge's pathForFile (webUtils.getPathForFile in
  // the app) answers from what the "OS" dropped, and registers it with main as chosen.
  app.droppable.set('animals', folder);
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File([''], 'animals'));
    const zone = document.querySelector('[data-testid="drop-zone"]') as HTMLElement;
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.getByTestId('scan-total').filter({ hasText: String(smallSet.total) }).waitFor();
  assert.equal(await page.getByLabel('Folder path').inputValue(), folder);
  assert.deepEqual(app.problems, []);
});

test('a hostile page cannot scan, preview, inspect or convert onto paths the user did not choose', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  const victim = join(app.dir, 'victim');
  await mkdir(join(victim, 'thesis'), { recursive: true });
  await writeFile(join(victim, 'thesis', 'chapter1.tex'), 'years of work');
  await writeFile(join(victim, 'secrets.csv'), 'path,label\na.png,x\n');
  const chosen = await makeSmallSet(app.dir);
  await chooseFolder(app, chosen);
  await page.getByTestId('scan-summary').waitFor();

  // Script in the page, using the verbs and the raw binding the bridge gives it.
  // Script in the page (a string: tsx would add helpers the page lacks), using the verbs and the
  // raw binding the bridge gives it.
  const codes = await page.evaluate(`(async () => {
    const api = window.img2npy;
    const victim = ${JSON.stringify(victim)};
    const chosen = ${JSON.stringify(chosen)};
    const code = (o) => (o.ok ? 'accepted' : o.error.code);
    return {
      scan: code(await api.scan(victim, {})),
      preview: code(await api.preview(victim, { size: { height: 8, width: 8 } }, 4)),
      labels: code(await api.scan(chosen, { labels: victim + '/secrets.csv' })),
      inspect: code(await api.inspect(victim + '/secrets.csv')),
      convert: code(await api.convert({ jobId: 'evil', input: chosen, output: victim + '/thesis', options: { size: { height: 8, width: 8 } }, overwrite: true })),
      grantItself: code(await window.__img2npyInvoke('paths:dropped', [victim])),
      afterGrantAttempt: code(await api.scan(victim, {})),
      forgedDrop: await api.pathForFile(new File([''], 'victim')),
    };
  })()`);
  assert.deepEqual(codes, {
    scan: 'path-not-chosen', preview: 'path-not-chosen', labels: 'path-not-chosen', inspect: 'path-not-chosen',
    convert: 'path-not-chosen', grantItself: 'internal', afterGrantAttempt: 'path-not-chosen', forgedDrop: '',
  });
  assert.equal(await readFile(join(victim, 'thesis', 'chapter1.tex'), 'utf8'), 'years of work');
  assert.deepEqual(app.replaceAsked, []);
});

test('split folders and unreadable files are known at scan time, before converting', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  const small = await makeSmallSet(app.dir);
  const root = join(app.dir, 'splits');
  for (const split of ['train', 'val']) {
    for (const cls of ['cat', 'dog']) {
      await mkdir(join(root, split, cls), { recursive: true });
      const from = join(small, cls);
      for (const name of (await readdir(from)).filter((n) => !n.endsWith('.txt')).slice(0, split === 'train' ? 3 : 1)) {
        await copyFile(join(from, name), join(root, split, cls, name));
      }
    }
  }
  // A "PNG" that is not one: the header check names it before any conversion.
  await writeFile(join(root, 'train', 'cat', 'broken.png'), 'not a png at all');
  await chooseFolder(app, root);
  await page.getByTestId('scan-summary').waitFor();
  await page.getByTestId('scan-splits').waitFor();
  assert.match((await page.getByTestId('scan-layout-kind').textContent()) ?? '', /Split folders/);
  assert.deepEqual(await page.getByTestId('scan-splits').locator('tbody th').allTextContents(), ['train', 'val']);
  const probe = page.getByTestId('scan-probe');
  await probe.waitFor();
  assert.match((await probe.textContent()) ?? '', /1\s+of \d+ images cannot be read and will be skipped/);
  await page.getByTestId('skipped').locator('summary').click();
  assert.match((await page.getByTestId('skipped').textContent()) ?? '', /broken\.png/);
  await app.screenshot('scan-splits-light');

  // One conversion from the window writes one output per split.
  await setOption(app, 'Size (HxW)', '8x8');
  // The preview's estimate already leaves out the file the header check found unreadable.
  await page.getByTestId('preview-skipped').filter({ hasText: 'Leaves out 1 file' }).waitFor();
  await page.getByTestId('preview-shape').filter({ hasText: '(8, 8, 8, 3)' }).waitFor();
  await page.getByRole('button', { name: 'Convert', exact: true }).click();
  await page.getByTestId('results').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('result-output').count(), 2);
  assert.match((await page.getByTestId('results').textContent()) ?? '', /train · 6 samples[\s\S]*val · 2 samples/);
  await app.screenshot('results-splits-light');
  assert.deepEqual(app.problems, []);
});
