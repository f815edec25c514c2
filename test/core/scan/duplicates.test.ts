import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { findLeakage } from '../../../src/core/scan/duplicates.js';
import type { ScannedFile } from '../../../src/core/types.js';
import { tempDir } from '../../helpers/tmp.js';

test('generated splits: copies across train/val/test are found by content, not name; dedupe keeps the earliest split', async (t) => {
  const dir = await tempDir(t);
  const file = async (name: string, body: string): Promise<ScannedFile> => {
    await writeFile(join(dir, name), body);
    return { abs: join(dir, name), rel: name, label: 0 };
  };
  const a = await file('a.png', 'same bytes');
  const b = await file('b.png', 'other');
  const c = await file('c.png', 'same bytes');
  const d = await file('d.png', 'same bytes');
  const e = await file('e.png', 'other!');
  const subsets = { all: [a, b, c, d, e], train: [b, e], val: [c, a], test: [d] };
  const found = await findLeakage({ ...subsets }, ['train', 'val', 'test'], { dedupe: false });
  assert.deepEqual(found.groups.map((g) => g.map((m) => `${m.split}:${m.rel}`)), [['val:c.png', 'val:a.png', 'test:d.png']]);
  assert.match(found.warnings[0], /3 files in 1 group/);

  const cut = { ...subsets };
  const deduped = await findLeakage(cut, ['train', 'val', 'test'], { dedupe: true });
  assert.deepEqual(deduped.dropped, [{ file: 'd.png', keptAs: 'c.png' }]);
  assert.deepEqual(cut.test, []);
  assert.deepEqual(cut.val, [c, a], 'copies inside one split are not leakage');
});
