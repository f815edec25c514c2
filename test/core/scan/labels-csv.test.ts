import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sortLabelNames } from '../../../src/core/scan/labels-csv.js';
import { parseLabelsCsv, readLabelsCsv } from '../../../src/core/scan/labels-table.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

const rowsOf = (text: string) => parseLabelsCsv(text, 'labels.csv').map((r) => [r.path, r.label, r.line]);

test('reads rows the way Python csv.reader reads RFC 4180 (quotes, commas, newlines, CRLF, BOM)', async () => {
  const text = '\ufeffpath,label\r\ncat/1.jpg,cat\r\n"dog, big/2.jpg",dog\r\n"we said ""hi"".png","two\nlines"\r\n"😀/é.jpg",Z\r\n';
  const ref = await py<string[][]>(
    `import sys, csv, io, json
print(json.dumps(list(csv.reader(io.StringIO(sys.argv[1].lstrip('\\ufeff'), newline='')))))`,
    [text],
  );
  const ours = parseLabelsCsv(text, 'labels.csv');
  assert.deepEqual(ours.map((r) => [r.path, r.label]), ref.slice(1));
  assert.deepEqual(ours.map((r) => r.line), [2, 3, 4, 6]);
});

test('a header is optional, blank lines are skipped, unquoted fields are trimmed, paths normalised', () => {
  assert.deepEqual(rowsOf('a.jpg,x\n\n ./b/c.jpg , y \nb//d.jpg,"  z "\n'), [
    ['a.jpg', 'x', 1],
    ['b/c.jpg', 'y', 3],
    ['b/d.jpg', '  z ', 4],
  ]);
  assert.deepEqual(rowsOf('Path,Label\na.jpg,1'), [['a.jpg', '1', 2]]);
  // A quoted "path" first row is data, not a header.
  assert.deepEqual(rowsOf('"path","label"\n'), [['path', 'label', 1]]);
});

test('a duplicate path with the same label is kept once; with another label it is an error naming both lines', () => {
  assert.deepEqual(rowsOf('a.jpg,x\na.jpg,x\n'), [['a.jpg', 'x', 1]]);
  assert.throws(() => parseLabelsCsv('a.jpg,x\nb.jpg,y\n./a.jpg,y\n', 'l.csv'), (e: Error & { code?: string; file?: string }) => {
    assert.equal(e.code, 'labels-invalid');
    assert.equal(e.file, 'l.csv');
    assert.match(e.message, /l\.csv line 3: .*"a\.jpg".*line 1/);
    return true;
  });
});

test('malformed lines are labels-invalid naming the file and the line', () => {
  const cases: [string, number, RegExp][] = [
    ['a.jpg,x\nb.jpg\n', 2, /expected 2 columns .* found 1/],
    ['a.jpg,x\nb.jpg,y,z\n', 2, /found 3/],
    ['a.jpg,x\n,y\n', 2, /path is empty/],
    ['a.jpg,\n', 1, /label .* is empty/],
    ['a.jpg,x\n"b.jpg,y\n', 2, /never closed/],
    ['a.jpg,x\n"b.jpg"z,y\n', 2, /after a closing quote/],
    ['a"b.jpg,x\n', 1, /quote inside an unquoted field/],
    ['/abs/a.jpg,x\n', 1, /relative/],
    ['../a.jpg,x\n', 1, /outside the input folder/],
    ['a/,x\n', 1, /names a folder/],
    ['x,y\n"multi\nline",ok\nbad\n', 4, /columns/],
  ];
  for (const [text, line, pattern] of cases) {
    assert.throws(
      () => parseLabelsCsv(text, '/data/labels.csv'),
      (e: Error & { code?: string; file?: string }) => {
        assert.equal(e.code, 'labels-invalid', text);
        assert.equal(e.file, '/data/labels.csv');
        assert.ok(e.message.startsWith(`/data/labels.csv line ${line}: `), `${JSON.stringify(text)} -> ${e.message}`);
        assert.match(e.message, pattern);
        return true;
      },
    );
  }
  assert.throws(() => parseLabelsCsv('path,label\n\n', 'e.csv'), { code: 'labels-invalid', message: /e\.csv has no rows/ });
  assert.throws(() => parseLabelsCsv('', 'e.csv'), { code: 'labels-invalid' });
});

test('readLabelsCsv reads UTF-8 files and reports a missing file as labels-invalid', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'labels.csv');
  await writeFile(file, 'path,label\nchats/é.jpg,chat\n');
  assert.deepEqual((await readLabelsCsv(file)).map((r) => [r.path, r.label]), [['chats/é.jpg', 'chat']]);
  await assert.rejects(readLabelsCsv(join(dir, 'nope.csv')), { code: 'labels-invalid', file: join(dir, 'nope.csv'), message: /does not exist/ });
  await assert.rejects(readLabelsCsv(dir), { code: 'labels-invalid', message: /is a folder/ });
});

test('label order: code point order like Python sorted, numeric when every label is an integer', async () => {
  const words = ['dog', 'Cat', 'cat', 'é', 'z', '！', '😀', '10', 'a b'];
  const ref = await py<string[]>(`import sys, json\nprint(json.dumps(sorted(set(json.loads(sys.argv[1])))))`, [JSON.stringify(words)]);
  assert.deepEqual(sortLabelNames(words), ref);
  const ints = ['10', '2', '0', '1', '2', '33', '100000000000000000000'];
  const numeric = await py<string[]>(`import sys, json\nprint(json.dumps([str(v) for v in sorted(set(int(x) for x in json.loads(sys.argv[1])))]))`, [JSON.stringify(ints)]);
  assert.deepEqual(sortLabelNames(ints), numeric);
  assert.deepEqual(sortLabelNames(['10', '2', '1']), ['1', '2', '10']);
});
