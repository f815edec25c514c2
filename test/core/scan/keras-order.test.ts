/**
 * Our scan + shuffle + split against a Python re-statement of Keras 3's discovery
 * (`index_directory` / `index_subdirectory` / `iter_valid_files`: os.listdir + os.walk + sorted),
 * shuffled with real `np.random.RandomState(seed).shuffle` and split with Keras's slicing.
 */
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanFolder } from '../../../src/core/scan/scan.js';
import { shuffledWithSeed } from '../../../src/core/scan/shuffle.js';
import { splitSamples } from '../../../src/core/scan/split.js';
import { defaultExtensions, kerasExtensions } from '../../../src/shared/options.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeTree } from '../../helpers/tree.js';


/** Class folders and files whose order differs between naive JS sorting, whole-path sorting and os.walk. */
const fixture = [
  'cats/a.jpg', 'cats/B.JPG', 'cats/10.png', 'cats/2.png', 'cats/é.jpg', 'cats/z.jpg', 'cats/Z.jpg',
  'cats/x y.jpeg', 'cats/！.gif', 'cats/😀.bmp', 'cats/.hidden.jpg', 'cats/.jpg', 'cats/notes.txt', 'cats/pic.webp',
  'cats/a/z.jpg', 'cats/a/deeper/w.jpg', 'cats/a b/x.jpg', 'cats/a-1/y.png', 'cats/a.d/v.jpg', 'cats/.sub/h.jpg',
  'cats/Ünï/u.png', 'cats/😀/e.jpg', 'cats/！/f.jpg',
  'dogs/1.jpg', 'dogs/01.jpg', 'dogs/dog 2.PNG', 'dogs/sub/dir/deep.gif',
  'Zebra/z1.jpg', 'ant/a1.jpeg', 'é/e1.jpg', '😀/s.jpg', '！/f.png', '10/t.jpg', '2/t.jpg',
  '.hiddenclass/x.jpg', 'empty/', 'root-level.jpg',
];

const kerasReference = `
import os, sys, json, numpy as np
root, follow, labels_mode = sys.argv[1], sys.argv[2] == '1', sys.argv[3]
seeds, splits = json.loads(sys.argv[4]), json.loads(sys.argv[5])
formats = ('.bmp', '.gif', '.jpeg', '.jpg', '.png')

def valid_files(top):
    walk = os.walk(top, followlinks=follow)
    for r, _, files in sorted(walk, key=lambda x: x[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield r, name

if labels_mode == 'inferred':
    classes = [d for d in sorted(os.listdir(root))
               if os.path.isdir(os.path.join(root, d)) and not d.startswith('.')]
else:
    classes = ['']
paths, labels = [], []
for index, cls in enumerate(classes):
    top = os.path.join(root, cls)
    base = os.path.basename(top)
    for r, name in valid_files(top):
        paths.append(os.path.join(base, os.path.relpath(os.path.join(r, name), top)))
        labels.append(index)

cases = []
for seed in seeds:
    p = list(paths)
    np.random.RandomState(seed).shuffle(p)
    l = np.array(labels, dtype='int32')
    np.random.RandomState(seed).shuffle(l)
    l = l.tolist()
    for v in splits:
        k = int(v * len(p))
        cases.append({'seed': seed, 'split': v, 'train': [p[:-k], l[:-k]], 'val': [p[-k:], l[-k:]]})
print(json.dumps({'classes': classes if labels_mode == 'inferred' else [], 'paths': paths, 'labels': labels, 'cases': cases}))
`;

interface Reference {
  classes: string[];
  paths: string[];
  labels: number[];
  cases: { seed: number; split: number; train: [string[], number[]]; val: [string[], number[]] }[];
}

const seeds = [0, 1, 42, 1337, 123456, 999999, 2 ** 32 - 1];
const splits = [0.1, 0.2, 0.25, 0.5, 0.9];

async function compareWithKeras(root: string, followLinks: boolean, labels: 'inferred' | 'none'): Promise<number> {
  const ref = await py<Reference>(kerasReference, [root, followLinks ? '1' : '0', labels, JSON.stringify(seeds), JSON.stringify(splits)]);
  const scan = await scanFolder(root, { extensions: [...kerasExtensions], followLinks, order: 'keras', labels, classNames: null });
  assert.deepEqual(scan.classNames, ref.classes);
  assert.deepEqual(scan.files.map((f) => f.rel), ref.paths, 'unshuffled order (Keras with shuffle=False)');
  assert.deepEqual(scan.files.map((f) => f.label), labels === 'none' ? ref.paths.map(() => null) : ref.labels);
  for (const c of ref.cases) {
    const shuffled = shuffledWithSeed(scan.files, c.seed);
    const { training, validation } = splitSamples(shuffled, c.split);
    const what = `seed ${c.seed}, split ${c.split}`;
    assert.ok(validation.length > 0, `${what}: fixture too small for this split`);
    assert.deepEqual(training.map((f) => f.rel), c.train[0], `training paths, ${what}`);
    assert.deepEqual(validation.map((f) => f.rel), c.val[0], `validation paths, ${what}`);
    if (labels === 'inferred') {
      assert.deepEqual(training.map((f) => f.label), c.train[1], `training labels, ${what}`);
      assert.deepEqual(validation.map((f) => f.label), c.val[1], `validation labels, ${what}`);
    }
  }
  return ref.paths.length;
}

test('keras order, shuffle and split equal Keras 3 index_directory + RandomState + slicing', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, fixture);
  const n = await compareWithKeras(root, false, 'inferred');
  assert.ok(n >= 30, `fixture has ${n} images`);
});

test('keras order with followLinks equals os.walk(followlinks=True); linked class folders only with followLinks', async (t) => {
  const root = await tempDir(t);
  const outside = await tempDir(t);
  await makeTree(root, fixture);
  await makeTree(outside, ['o2.jpg', 'O1.png', 'in/n.jpg']);
  await symlink(outside, join(root, 'cats/linked'));
  await symlink(join(root, 'cats/a.jpg'), join(root, 'dogs/alias.jpg'));
  await compareWithKeras(root, false, 'inferred');
  // Keras takes a linked class folder even without followlinks; img2npy does not (README: links
  // are followed only with --follow-links), so this one is compared with followLinks only.
  await symlink(outside, join(root, 'linkedclass'));
  await compareWithKeras(root, true, 'inferred');
});

test('keras order with labels none equals Keras indexing from the root (root files and hidden folders included)', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, fixture);
  await compareWithKeras(root, false, 'none');
});

test('default order equals Python sorted() of relative paths per class, hidden names skipped', async (t) => {
  const root = await tempDir(t);
  await makeTree(root, fixture);
  const ref = await py<{ classes: string[]; paths: string[]; labels: number[] }>(
    `import os, sys, json
root, exts = sys.argv[1], tuple(json.loads(sys.argv[2]))
classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and not d.startswith('.'))
paths, labels = [], []
for i, c in enumerate(classes):
    found = []
    for r, dirs, files in os.walk(os.path.join(root, c)):
        dirs[:] = [d for d in dirs if not d.startswith('.')]
        found += [os.path.relpath(os.path.join(r, f), root) for f in files
                  if not f.startswith('.') and f.lower().endswith(exts)]
    for p in sorted(found):
        paths.append(p)
        labels.append(i)
print(json.dumps({'classes': classes, 'paths': paths, 'labels': labels}))`,
    [root, JSON.stringify(defaultExtensions)],
  );
  const scan = await scanFolder(root, { extensions: [...defaultExtensions], followLinks: false, order: 'default', labels: 'inferred', classNames: null });
  assert.deepEqual(scan.classNames, ref.classes);
  assert.deepEqual(scan.files.map((f) => f.rel), ref.paths);
  assert.deepEqual(scan.files.map((f) => f.label), ref.labels);
  // The two orders really differ on this fixture, so each test checks something of its own.
  const keras = await scanFolder(root, { extensions: [...defaultExtensions], followLinks: false, order: 'keras', labels: 'inferred', classNames: null });
  assert.notDeepEqual(keras.files.map((f) => f.rel).filter((p) => !p.split('/').some((s) => s.startsWith('.'))), ref.paths);
});
