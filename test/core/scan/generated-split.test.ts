import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apportion, assignParts } from '../../../src/core/scan/apportion.js';
import { orderAndSplit } from '../../../src/core/scan/order-split.js';
import type { ScannedFile } from '../../../src/core/types.js';
import type { ConvertOptions } from '../../../src/shared/options.js';
import { resolveOptions } from '../../../src/shared/validate-options.js';
import { py } from '../../helpers/python.js';

function options(over: Partial<ConvertOptions>): ConvertOptions {
  const r = resolveOptions([{ size: { height: 4, width: 4 }, ...over }]);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.value;
}

/** `perClass[c]` files of class c, in class order (as a scan lists them). */
function files(perClass: number[]): ScannedFile[] {
  return perClass.flatMap((n, c) => Array.from({ length: n }, (_, i) => ({ abs: `/d/${c}/${i}.png`, rel: `${c}/${i}.png`, label: c })));
}
const classNames = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

test('apportion: parts sum to n and each is within one sample of its exact share (NumPy computes the shares)', async () => {
  const fractions = [
    [0.8, 0.1, 0.1],
    [0.7, 0.15, 0.15],
    [0.6, 0.2, 0.2],
    [0.5, 0.5],
    [0.9, 0.1],
    [1 / 3, 1 / 3, 1 / 3],
  ];
  const sizes = [0, 1, 2, 3, 7, 10, 11, 99, 1000, 12345];
  const exact = await py<number[][][]>(
    `import sys, json, numpy as np
print(json.dumps([[(np.array(f) / np.sum(f) * n).tolist() for n in json.loads(sys.argv[2])] for f in json.loads(sys.argv[1])]))`,
    [JSON.stringify(fractions), JSON.stringify(sizes)],
  );
  fractions.forEach((f, i) =>
    sizes.forEach((n, j) => {
      const parts = apportion(n, f);
      assert.equal(parts.reduce((a, b) => a + b, 0), n, `${f} of ${n}`);
      parts.forEach((p, k) => assert.ok(Math.abs(p - exact[i][j][k]) < 1, `${f} of ${n}: part ${k} = ${p}, exact ${exact[i][j][k]}`));
    }),
  );
  assert.deepEqual(apportion(10, [0.8, 0.1, 0.1]), [8, 1, 1]);
});

test('stratify keeps every class within one image of its exact share in every split', () => {
  const perClass = [1, 2, 5, 9, 10, 13, 37, 100];
  const fr = [0.7, 0.2, 0.1];
  const labels = files(perClass).map((f) => f.label);
  const part = assignParts(labels, fr, true);
  perClass.forEach((n, c) => {
    fr.forEach((f, p) => {
      const got = part.filter((x, i) => x === p && labels[i] === c).length;
      assert.ok(Math.abs(got - f * n) < 1, `class ${c} (${n}) in part ${p}: ${got} vs ${f * n}`);
    });
  });
});

test('splitting shuffles by default (even without --shuffle); an explicit --no-shuffle keeps file order and says what that does', () => {
  assert.equal(options({ validationSplit: 0.2 }).shuffle, true);
  assert.equal(options({ split: [0.8, 0.1, 0.1] }).shuffle, true);
  assert.equal(options({}).shuffle, false, 'no split: file order as before');
  assert.equal(options({ validationSplit: 0.2, shuffle: false }).shuffle, false);

  const all = files([10, 10, 10, 10, 10]);
  const shuffled = orderAndSplit(all, options({ validationSplit: 0.2, seed: 7 }), [], classNames(5));
  assert.ok(new Set(shuffled.subsets.val.map((f) => f.label)).size > 1, 'validation holds several classes');
  assert.deepEqual(shuffled.warnings, []);

  const inOrder = orderAndSplit(all, options({ validationSplit: 0.2, shuffle: false }), [], classNames(5));
  assert.deepEqual(new Set(inOrder.subsets.val.map((f) => f.label)), new Set([4]));
  assert.equal(inOrder.seed, null);
  assert.match(inOrder.warnings.join('\n'), /--no-shuffle.*val holds only c4/);
});

test('--split writes train, val and test; the same seed gives the same membership, another seed another', () => {
  const all = files([30, 20, 10]);
  const a = orderAndSplit(all, options({ split: [0.8, 0.1, 0.1], seed: 3 }), [], classNames(3));
  const b = orderAndSplit(all, options({ split: [0.8, 0.1, 0.1], seed: 3 }), [], classNames(3));
  const c = orderAndSplit(all, options({ split: [0.8, 0.1, 0.1], seed: 4 }), [], classNames(3));
  assert.deepEqual(a.splitNames, ['train', 'val', 'test']);
  assert.deepEqual([a.subsets.train.length, a.subsets.val.length, a.subsets.test.length], [48, 6, 6]);
  assert.deepEqual(a.subsets, b.subsets);
  assert.notDeepEqual(a.subsets.val, c.subsets.val);
  const seen = new Set([...a.subsets.train, ...a.subsets.val, ...a.subsets.test].map((f) => f.rel));
  assert.equal(seen.size, all.length, 'every file in exactly one split');
  const two = orderAndSplit(all, options({ split: [0.75, 0.25], seed: 3 }), [], classNames(3));
  assert.deepEqual(two.splitNames, ['train', 'val']);
  assert.deepEqual([two.subsets.train.length, two.subsets.val.length], [45, 15]);
});

test('--stratify applies to --validation-split too; without it --validation-split keeps Keras arithmetic', () => {
  const all = files([7, 3]);
  const keras = orderAndSplit(all, options({ validationSplit: 0.29, seed: 1 }), [], classNames(2));
  assert.equal(keras.subsets.val.length, 2, 'int(0.29 * 10) = 2');
  const strat = orderAndSplit(all, options({ validationSplit: 0.3, stratify: true, seed: 1 }), [], classNames(2));
  const valCounts = [0, 1].map((c) => strat.subsets.val.filter((f) => f.label === c).length);
  assert.deepEqual(valCounts, [2, 1]);
});

test('split options are checked: fractions must sum to 1; --split and --validation-split exclude each other; split folders refuse a second split', () => {
  for (const bad of [[0.5, 0.4], [0.8, 0.1, 0.2], [1, 0], [0.5, 0.25, 0.125, 0.125]]) {
    const r = resolveOptions([{ size: { height: 4, width: 4 }, split: bad }]);
    assert.equal(r.ok, false, String(bad));
    if (!r.ok) assert.equal(r.issues[0].option, 'split');
  }
  const both = resolveOptions([{ size: { height: 4, width: 4 }, split: [0.8, 0.2], validationSplit: 0.2 }]);
  assert.equal(both.ok, false);
  const folders = files([2, 2]).map((f, i) => ({ ...f, split: i % 2 ? 'test' : 'train' }));
  assert.throws(() => orderAndSplit(folders, options({ split: [0.8, 0.2] }), ['train', 'test'], classNames(2)), {
    code: 'invalid-option',
    message: /already split into folders \(train, test\); --split/,
  });
});
