import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { py } from '../test/helpers/python.js';
import { launchApp } from './support/bridge.js';

const writeNpz = `
import json, sys
import numpy as np
x = np.zeros((6, 8, 8, 3), dtype=np.uint8)
x[:3, :, :, 0] = 255
x[3:, :, :, 2] = 255
y = np.array([0, 0, 0, 1, 1, 1], dtype=np.int32)
np.savez(sys.argv[1], x=x, y=y, class_names=np.array(["red", "blue"]))
print(json.dumps(True))
`;

test('opening an .npz shows its arrays, class counts and samples', async (t) => {
  const app = await launchApp(t);
  const { page } = app;
  const file = join(app.dir, 'colours.npz');
  await py(writeNpz, [file]);
  app.answers.arrayFile = file;

  await page.getByRole('tab', { name: 'Inspect' }).click();
  await page.getByRole('button', { name: 'Open .npy / .npz…' }).click();
  const table = page.getByTestId('inspect-arrays');
  await table.waitFor();
  assert.match((await table.locator('tr[data-array="x"]').textContent()) ?? '', /\(6, 8, 8, 3\)\s*uint8/);
  assert.match((await table.locator('tr[data-array="y"]').textContent()) ?? '', /\(6,\)\s*int32/);
  assert.match((await table.locator('tr[data-array="class_names"]').textContent()) ?? '', /\(2,\)/);
  const counts = page.getByTestId('inspect').locator('.histogram');
  assert.equal((await counts.locator('tr[data-class="red"] td.num').textContent())?.trim(), '3');
  assert.equal((await counts.locator('tr[data-class="blue"] td.num').textContent())?.trim(), '3');
  const samples = page.getByTestId('inspect-samples').locator('img');
  assert.ok((await samples.count()) > 0);
  assert.match((await page.getByTestId('inspect-samples').textContent()) ?? '', /red|blue/);
  await app.screenshot('inspect-light');

  // A file that is not an array is refused with its code.
  app.answers.arrayFile = join(app.dir, 'nothing.txt');
  await page.getByRole('button', { name: 'Open .npy / .npz…' }).click();
  await page.locator('.inspect [role="alert"]', { hasText: 'nothing.txt' }).waitFor();
  assert.deepEqual(app.problems, []);
});
