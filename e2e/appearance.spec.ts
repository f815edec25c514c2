import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseFolder, chooseOutput, launchApp, setOption } from './support/bridge.js';
import { makeSmallSet } from './support/fixtures.js';

for (const scheme of ['light', 'dark'] as const) {
  test(`readable and keyboard-usable at 1024×700 in ${scheme} mode`, async (t) => {
    const app = await launchApp(t, { colorScheme: scheme });
    const { page } = app;
    await app.screenshot(`empty-${scheme}`);

    // Follows the OS theme.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    const luminance = (r + g + b) / 3;
    assert.ok(scheme === 'dark' ? luminance < 60 : luminance > 200, `${scheme} background ${background}`);

    // Keyboard: the first Tab stops are the view tabs, then Browse; focus is visible.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Convert');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Browse…');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    assert.notEqual(outline, 'none');

    // Every control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([aria-hidden="true"]), select, button')]
        .filter((el) => {
          const control = el as HTMLInputElement;
          const named = (control.labels?.length ?? 0) > 0 || control.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim());
          return !named;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unnamed, []);

    await chooseFolder(app, await makeSmallSet(app.dir));
    await setOption(app, 'Size (HxW)', '16x16');
    await page.getByTestId('preview-shape').filter({ hasText: '(9, 16, 16, 3)' }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="preview-grid"] img')].every((i) => (i as HTMLImageElement).naturalWidth > 0));
    await app.screenshot(`overview-${scheme}`);

    await mkdir(join(app.dir, 'out'));
    await chooseOutput(app, join(app.dir, 'out', 'animals.npz'));
    // Keyboard only: Enter on the focused Convert button.
    await page.getByRole('button', { name: 'Convert', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('results').waitFor({ timeout: 60_000 });
    await page.getByTestId('results').scrollIntoViewIfNeeded();
    await app.screenshot(`results-${scheme}`);

    // Nothing overflows sideways at 1024 px.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 1024));
    await page.getByRole('tab', { name: 'Convert' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Inspect' }).getAttribute('aria-selected'), 'true');
    await app.screenshot(`inspect-empty-${scheme}`);
    assert.deepEqual(app.problems, []);
  });
}
