import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pickAcrossClasses } from '../../../src/core/job/preview.js';
import type { ScannedFile } from '../../../src/core/types.js';

const files: ScannedFile[] = ['a', 'b', 'c'].flatMap((cls, label) =>
  Array.from({ length: 50 }, (_, i) => ({ abs: `/d/${cls}/${i}.png`, rel: `${cls}/${i}.png`, label })),
);
const rels = (picked: ScannedFile[]) => picked.map((f) => f.rel);

it('without a seed: the first files of each class, round-robin', () => {
  assert.deepEqual(rels(pickAcrossClasses(files, 6)), ['a/0.png', 'b/0.png', 'c/0.png', 'a/1.png', 'b/1.png', 'c/1.png']);
});

it('with a seed: a random sample from anywhere in each class, the same for the same seed, still round-robin', () => {
  const one = rels(pickAcrossClasses(files, 12, 1));
  assert.deepEqual(rels(pickAcrossClasses(files, 12, 1)), one);
  assert.notDeepEqual(rels(pickAcrossClasses(files, 12, 2)), one);
  assert.deepEqual(one.map((r) => r[0]), ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
  // Not just the first files of each class.
  assert.ok(one.some((r) => Number(r.split('/')[1].split('.')[0]) >= 4), one.join(' '));
  assert.equal(new Set(one).size, 12);
});
