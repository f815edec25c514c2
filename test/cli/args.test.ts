import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../src/cli/args.js';
import { convertHelp } from '../../src/cli/help.js';
import { optionSpecs } from '../../src/shared/options.js';

test('flags map to typed options; booleans take --no-', () => {
  const a = parseArgs(['convert', 'flowers', '--out', 'f.npz', '--size', '224x224', '--resize=pad', '--no-exif', '--shuffle', '--seed', '7', '--mean', '1,2,3', '-j', '2']);
  assert.equal(a.command, 'convert');
  assert.deepEqual(a.positionals, ['flowers']);
  assert.equal(a.shell.out, 'f.npz');
  assert.deepEqual(a.options, { size: { height: 224, width: 224 }, resize: 'pad', exif: false, shuffle: true, seed: 7, mean: [1, 2, 3], jobs: 2 });
});

test('bad flags name the flag, the expectation and the value', () => {
  assert.throws(() => parseArgs(['convert', '--batch-size', '0']), /Expected integer between 1 and 65536 for --batch-size but received 0 of type number/);
  assert.throws(() => parseArgs(['convert', '--size', 'huge']), /Expected HxW such as 224x224 for --size but received "huge"/);
  assert.throws(() => parseArgs(['convert', '--dtype', 'int8']), /for --dtype but received "int8"/);
  assert.throws(() => parseArgs(['convert', '--colour', 'rgb']), /Unknown option --colour/);
  assert.throws(() => parseArgs(['convert', '--size']), /Expected a value after --size/);
});

test('every schema option appears in convert --help', () => {
  const help = convertHelp();
  for (const spec of optionSpecs) assert.ok(help.includes(`--${spec.flag}`) || help.includes(`--[no-]${spec.flag}`), spec.flag);
});

test('shell booleans read an inline value: --overwrite=false does not overwrite', () => {
  assert.equal(parseArgs(['convert', '--overwrite=false']).shell.overwrite, false);
  assert.equal(parseArgs(['convert', '--overwrite']).shell.overwrite, true);
  assert.throws(() => parseArgs(['convert', '--json=maybe']), /Expected true or false for --json but received "maybe"/);
});
