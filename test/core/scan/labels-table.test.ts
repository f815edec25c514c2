import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLabelTable, parseLabelsCsv } from '../../../src/core/scan/labels-table.js';

const rows = (text: string, format: 'csv' | 'tsv' | 'jsonl' = 'csv', column: string | null = null) =>
  parseLabelTable(text, 'meta.' + format, format, column).rows.map((r) => [r.path, r.label, ...r.values]);

test('a header is detected, never taken for a class: filename,class and other known names (issue 9)', () => {
  assert.deepEqual(parseLabelsCsv('filename,class\ncat/1.jpg,cat\ndog/2.jpg,dog\n', 'l.csv').map((r) => [r.path, r.label, r.line]), [
    ['cat/1.jpg', 'cat', 2],
    ['dog/2.jpg', 'dog', 3],
  ]);
  for (const header of ['file_name,label', 'FILE,Category', 'image,target', 'image_path,class', 'path,label']) {
    assert.deepEqual(rows(`${header}\na.png,x\n`), [['a.png', 'x']], header);
  }
  // Unknown names are still a header when they carry no file extension and the rows below do.
  assert.deepEqual(rows('img,cls\na.png,x\nb.png,y\n'), [
    ['a.png', 'x'],
    ['b.png', 'y'],
  ]);
  // Headerless path,label keeps working, also when the first label looks like a word.
  assert.deepEqual(rows('a.png,label\nb.png,x\n'), [
    ['a.png', 'label'],
    ['b.png', 'x'],
  ]);
});

test('image column file_name first; label by --label-column, else label|class|category|target, else the only other column', () => {
  const t = parseLabelTable('path,file_name,species,label\nx.png,a.png,cat,1\nx.png,b.png,dog,0\n', 'm.csv', 'csv', null);
  assert.deepEqual(t.rows.map((r) => [r.path, r.label]), [['a.png', '1'], ['b.png', '0']]);
  assert.deepEqual(t.columns.map((c) => [c.column, c.name, c.kind]), [['path', 'path', 'text'], ['species', 'species', 'text']]);
  const chosen = parseLabelTable('file_name,species,label\na.png,cat,1\n', 'm.csv', 'csv', 'species');
  assert.deepEqual(chosen.rows.map((r) => [r.label, ...r.values]), [['cat', 1n]]);
  assert.deepEqual(rows('file_name,caption\na.png,a red car\n'), [['a.png', 'a red car']]);
  assert.throws(() => parseLabelTable('file_name,a,b\nx.png,1,2\n', 'm.csv', 'csv', null), { code: 'labels-invalid', message: /m\.csv line 1: no label column.*--label-column.*file_name, a, b/ });
  assert.throws(() => parseLabelTable('file_name,a\nx.png,1\n', 'm.csv', 'csv', 'nope'), { code: 'invalid-option', option: 'labelColumn', message: /--label-column.*"nope".*file_name, a/ });
  assert.throws(() => parseLabelTable('a,b,c\nx.png,1,2\n', 'm.csv', 'csv', null), { code: 'labels-invalid', message: /no image column/ });
});

test('extra columns: whole numbers int64, other numbers float64, text; x/y/paths/class_names get meta_', () => {
  const t = parseLabelTable('file_name,label,n,w,t,x,y,class_names\na.png,c,3,0.5,hi,1,2,3\nb.png,c,-4,1,7,1,2,3\n', 'm.csv', 'csv', null);
  assert.deepEqual(t.columns.map((c) => [c.name, c.kind]), [
    ['n', 'int64'],
    ['w', 'float64'],
    ['t', 'text'],
    ['meta_x', 'int64'],
    ['meta_y', 'int64'],
    ['meta_class_names', 'int64'],
  ]);
  assert.deepEqual(t.rows[1].values, [-4n, 1, '7', 1n, 2n, 3n]);
});

test('a missing value is an error naming the file, the row and the column', () => {
  assert.throws(() => parseLabelTable('file_name,label,w\na.png,c,1\nb.png,c,\n', 'm.csv', 'csv', null), {
    code: 'labels-invalid',
    message: /^m\.csv line 3: no value for column w of "b\.png"/,
  });
  assert.throws(() => parseLabelTable('{"file_name":"a.png","label":"c","w":1}\n{"file_name":"b.png","label":"c"}\n', 'm.jsonl', 'jsonl', null), {
    message: /^m\.jsonl line 2: no value for column w/,
  });
  assert.throws(() => parseLabelTable('file_name,label,w\na.png,c\n', 'm.csv', 'csv', null), { message: /m\.csv line 2: expected 3 columns/ });
});

test('JSON Lines (Hugging Face metadata.jsonl) and TSV read like CSV', () => {
  const jsonl = '{"file_name": "a.png", "label": 2, "score": 0.25, "tags": "x"}\n\n{"file_name": "b.png", "label": 10, "score": 1, "tags": "y"}\n';
  const t = parseLabelTable(jsonl, 'metadata.jsonl', 'jsonl', null);
  assert.deepEqual(t.rows.map((r) => [r.path, r.label, ...r.values]), [['a.png', '2', 0.25, 'x'], ['b.png', '10', 1, 'y']]);
  assert.deepEqual(t.columns.map((c) => c.kind), ['float64', 'text']);
  assert.throws(() => parseLabelTable('{"file_name": "a.png"\n', 'm.jsonl', 'jsonl', null), { message: /m\.jsonl line 1: not valid JSON/ });
  assert.deepEqual(rows('file_name\tlabel\tn\na b.png\tcat\t5\n', 'tsv'), [['a b.png', 'cat', 5n]]);
});
