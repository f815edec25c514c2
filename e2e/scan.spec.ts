import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseFolder, launchApp } from './support/bridge.js';
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
  assert.equal(await page.getByLabel(/^Output/).inputValue(), `${folder}.npz`);
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

  // A relative path typed by hand is refused by main's argument checks, with the same code.
  await page.getByLabel('Folder path').fill('images/relative');
  await page.getByRole('button', { name: 'Scan', exact: true }).click();
  await page.locator('.scan [role="alert"]', { hasText: 'images/relative' }).waitFor();
  assert.match((await alert.textContent()) ?? '', /Expected an absolute path for input/);
  await app.screenshot('scan-error-light');
});

test('dropping a folder on the drop zone scans it', async (t) => {
  const app = await launchApp(t);
  const folder = await makeSmallSet(app.dir);
  const { page } = app;
  // Chromium gives dropped files no path; the bridge's pathForFile (webUtils.getPathForFile in
  // the app) answers from this registration.
  await page.evaluate((path) => {
    (window as unknown as { __img2npyTest: { registerPath(n: string, p: string): void } }).__img2npyTest.registerPath('animals', path);
    const data = new DataTransfer();
    data.items.add(new File([''], 'animals'));
    const zone = document.querySelector('[data-testid="drop-zone"]') as HTMLElement;
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, folder);
  await page.getByTestId('scan-total').filter({ hasText: String(smallSet.total) }).waitFor();
  assert.equal(await page.getByLabel('Folder path').inputValue(), folder);
  assert.deepEqual(app.problems, []);
});
