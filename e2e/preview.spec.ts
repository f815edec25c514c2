import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { chooseFolder, launchApp, openGroup, setOption } from './support/bridge.js';
import { makeSmallSet, smallSet } from './support/fixtures.js';

async function thumbnailSizes(page: Page): Promise<{ cls: string; w: number; h: number }[]> {
  return page.getByTestId('preview-grid').locator('li').evaluateAll((items) =>
    items.map((li) => {
      const img = li.querySelector('img') as HTMLImageElement | null;
      return { cls: li.getAttribute('data-class') ?? '', w: img?.naturalWidth ?? 0, h: img?.naturalHeight ?? 0 };
    }),
  );
}

async function waitForShape(page: Page, shape: string): Promise<void> {
  await page.getByTestId('preview-shape').filter({ hasText: shape }).waitFor();
  await page.locator('[data-testid="preview-grid"]:not(.stale)').waitFor();
  // Every thumbnail decoded.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="preview-grid"] img')].every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
}

test('the preview shows thumbnails of several classes at the target size', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await chooseFolder(app, await makeSmallSet(app.dir));
  // No size yet: the preview says what to set, calmly; no field is marked as an error before the
  // user touched it.
  await page.locator('.preview .issues', { hasText: 'To see a preview, set:' }).getByRole('button', { name: 'Size (HxW)' }).waitFor();
  assert.equal(await page.locator('[role="alert"], [aria-invalid="true"]').count(), 0);
  await app.screenshot('guided-start-light');
  // A wrong value the user typed is named next to its field, in the window's words.
  await setOption(app, 'Size (HxW)', 'big');
  await page.locator('[data-option="size"] [role="alert"]', { hasText: 'for Size (HxW)' }).waitFor();

  await setOption(app, 'Size (HxW)', '16x12');
  await waitForShape(page, '(9, 16, 12, 3)');
  const thumbs = await thumbnailSizes(page);
  assert.equal(thumbs.length, smallSet.total);
  assert.deepEqual(new Set(thumbs.map((x) => x.cls)), new Set(Object.keys(smallSet.classes)));
  for (const thumb of thumbs) assert.deepEqual([thumb.w, thumb.h], [12, 16]);
  // Round-robin across classes: the first three thumbnails are three different classes.
  assert.equal(new Set(thumbs.slice(0, 3).map((x) => x.cls)).size, 3);
  assert.equal(await page.getByTestId('preview-dtype').textContent(), 'uint8');
  await app.screenshot('preview-light');
  assert.deepEqual(app.problems, []);
});

test('changing options updates the preview, shape, dtype and size estimate', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  await chooseFolder(app, await makeSmallSet(app.dir));
  await setOption(app, 'Size (HxW)', '16x16');
  await waitForShape(page, '(9, 16, 16, 3)');
  const bytesBefore = await page.getByTestId('preview-bytes').textContent();

  await page.getByLabel('Colour', { exact: true }).selectOption('grayscale');
  await waitForShape(page, '(9, 16, 16, 1)');
  await setOption(app, 'Size (HxW)', '8x10');
  await waitForShape(page, '(9, 8, 10, 1)');
  for (const thumb of await thumbnailSizes(page)) assert.deepEqual([thumb.w, thumb.h], [10, 8]);
  await page.getByLabel('dtype', { exact: true }).selectOption('float32');
  await page.getByTestId('preview-dtype').filter({ hasText: 'float32' }).waitFor();
  assert.notEqual(await page.getByTestId('preview-bytes').textContent(), bytesBefore);

  // An invalid value: message next to the field, preview marked out of date, Convert disabled.
  await openGroup(app, 'split');
  await setOption(app, 'Batch size', '0');
  const issue = page.locator('[data-option="batchSize"] [role="alert"]');
  await issue.waitFor();
  assert.equal(await issue.textContent(), 'Expected integer between 1 and 65536 for Batch size but received 0');
  await page.locator('.preview .issues', { hasText: 'To see a preview, fix:' }).getByRole('button', { name: 'Batch size' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Convert' }).isDisabled(), true);
  await setOption(app, 'Batch size', '');
  await issue.waitFor({ state: 'detached' });

  // Keras mode in one click: Keras's 256x256 float32 apply to every option not set by hand, and
  // Keras's file types (no WebP: the two birds drop out of the scan).
  await page.getByRole('button', { name: /Keras mode/ }).click();
  assert.equal(await page.getByRole('button', { name: /Keras mode/ }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Reset Size (HxW) to its default' }).click();
  await page.getByRole('button', { name: 'Reset dtype to its default' }).click();
  assert.equal(await page.getByLabel('Size (HxW)', { exact: true }).getAttribute('placeholder'), '256x256');
  await waitForShape(page, '(7, 256, 256, 1)');
  assert.equal(await page.getByTestId('scan-total').textContent(), '7');
  await page.getByTestId('preview-dtype').filter({ hasText: 'float32' }).waitFor();
  await app.screenshot('preview-keras-light');
  assert.deepEqual(app.problems, []);
});

test('the preview is a seeded random sample; a tile enlarges with its path, original size and transform', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  const folder = await makeSmallSet(app.dir);
  await chooseFolder(app, folder);
  await setOption(app, 'Size (HxW)', '16x12');
  await waitForShape(page, '(9, 16, 12, 3)');
  const files = () => page.getByTestId('preview-grid').locator('li img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')));
  const first = await files();
  // Another option keeps the same sample (same seed); "Another sample" draws again.
  await page.getByLabel('Colour', { exact: true }).selectOption('grayscale');
  await waitForShape(page, '(9, 16, 12, 1)');
  assert.deepEqual(await files(), first);

  await page.getByRole('button', { name: `Enlarge ${first[0]?.split(': ')[1]}` }).click();
  const dialog = page.getByTestId('enlarged');
  await dialog.waitFor();
  const file = (await dialog.getByTestId('enlarged-file').textContent()) ?? '';
  assert.ok(file.startsWith(`${folder}/`), file);
  const [cls] = file.slice(folder.length + 1).split('/');
  const expected: Record<string, string> = { cat: '30×40', dog: '40×30', bird: '24×24' };
  assert.equal(await dialog.getByTestId('enlarged-original').textContent(), expected[cls]);
  assert.equal(await dialog.getByTestId('enlarged-size').textContent(), '16×12×1');
  assert.match((await dialog.getByTestId('enlarged-transform').textContent()) ?? '', /stretch to 16×12, bilinear with antialias; grayscale/);
  await app.screenshot('preview-enlarged-light');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The sample order is drawn per class: with 9 files and 12 tiles every file shows, in another order.
  await page.getByRole('button', { name: 'Another sample' }).click();
  await page.waitForFunction(
    (before) => JSON.stringify([...document.querySelectorAll('[data-testid="preview-grid"]:not(.stale) li img')].map((i) => i.getAttribute('alt'))) !== before,
    JSON.stringify(first),
  );
  assert.deepEqual([...(await files())].sort(), [...first].sort());
  assert.deepEqual(app.problems, []);
});
