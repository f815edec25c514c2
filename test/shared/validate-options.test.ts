import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultOptions, optionSpecs, specFor } from '../../src/shared/options.js';
import { checkOptionValue, parseOptionText, resolveOptions, validatePartialOptions } from '../../src/shared/validate-options.js';

test('every spec default passes its own check', () => {
  for (const spec of optionSpecs) assert.equal(checkOptionValue(spec, spec.default), null, spec.key);
});

test('messages name the option, the expectation and the received value', () => {
  const r = validatePartialOptions({ batchSize: -1 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.issues[0].message, 'Expected integer between 1 and 65536 for batchSize but received -1 of type number');
  const e = validatePartialOptions({ resize: 'squash' });
  assert.match(!e.ok ? e.issues[0].message : '', /Expected one of stretch, crop, pad, none for resize but received "squash" of type string/);
});

test('unknown keys and non-objects are refused', () => {
  const r = validatePartialOptions({ sise: 3 });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.issues[0].message : '', /Unknown option sise/);
  assert.equal(validatePartialOptions([1]).ok, false);
  assert.equal(validatePartialOptions(null).ok, false);
});

test('text parsing: sizes, numbers, lists, booleans', () => {
  assert.deepEqual(parseOptionText(specFor('size'), '224x160'), { value: { height: 224, width: 160 } });
  assert.deepEqual(parseOptionText(specFor('size'), '64'), { value: { height: 64, width: 64 } });
  assert.ok('issue' in parseOptionText(specFor('size'), 'big'));
  assert.deepEqual(parseOptionText(specFor('mean'), '1,2.5,3'), { value: [1, 2.5, 3] });
  assert.ok('issue' in parseOptionText(specFor('mean'), '1,,3'));
  assert.deepEqual(parseOptionText(specFor('seed'), '42'), { value: 42 });
  assert.ok('issue' in parseOptionText(specFor('seed'), '4x2'));
  assert.deepEqual(parseOptionText(specFor('classNames'), 'b, a'), { value: ['b', 'a'] });
});

test('resolve: defaults, keras defaults only where unset, implied values', () => {
  const plain = resolveOptions([{ size: { height: 8, width: 8 } }]);
  assert.ok(plain.ok);
  assert.deepEqual(plain.ok && plain.value, { ...defaultOptions(), size: { height: 8, width: 8 } });

  const keras = resolveOptions([{ like: 'keras' }, { interpolation: 'nearest' }]);
  assert.ok(keras.ok);
  if (keras.ok) {
    assert.deepEqual(keras.value.size, { height: 256, width: 256 });
    assert.equal(keras.value.antialias, false);
    assert.equal(keras.value.exif, false);
    assert.equal(keras.value.dtype, 'float32');
    assert.equal(keras.value.interpolation, 'nearest');
  }
  const custom = resolveOptions([{ size: { height: 4, width: 4 }, mean: [0.1, 0.2, 0.3], std: [0.5, 0.5, 1] }]);
  assert.ok(custom.ok && custom.value.normalize === 'custom' && custom.value.dtype === 'float32');
});

test('resolve: cross-option rules', () => {
  const noSize = resolveOptions([{}]);
  assert.ok(!noSize.ok && /for size when resize is stretch/.test(noSize.issues[0].message));
  assert.ok(resolveOptions([{ resize: 'none' }]).ok);
  const u8 = resolveOptions([{ size: { height: 4, width: 4 }, normalize: 'unit', dtype: 'uint8' }]);
  assert.ok(!u8.ok && /float32 or float16 for dtype/.test(u8.issues[0].message));
  const mean = resolveOptions([{ size: { height: 4, width: 4 }, mean: [1, 2], std: [1] }]);
  assert.ok(!mean.ok && /1 or 3 numbers for mean/.test(mean.issues[0].message));
  const zero = resolveOptions([{ size: { height: 4, width: 4 }, mean: [0], std: [0] }]);
  assert.ok(!zero.ok && /non-zero numbers for std/.test(zero.issues[0].message));
});

test('resolve: mean and std on the 0-255 scale are refused with the values divided by 255', () => {
  const size = { height: 4, width: 4 };
  const both = resolveOptions([{ size, mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] }]);
  assert.ok(!both.ok);
  assert.equal(both.issues[0].option, 'mean');
  assert.match(both.issues[0].message, /0-1 scale/);
  assert.match(both.issues[0].message, /--mean 0\.485,0\.456,0\.406 --std 0\.229,0\.224,0\.225$/);
  const meanOnly = resolveOptions([{ size, mean: [127.5], std: [0.5] }]);
  assert.ok(!meanOnly.ok && /received mean 127\.5, which looks like the 0-255 scale; divided by 255: --mean 0\.5$/.test(meanOnly.issues[0].message));
  const stdOnly = resolveOptions([{ size, normalize: 'imagenet', mean: null, std: [64] }]);
  assert.ok(!stdOnly.ok && stdOnly.issues[0].option === 'std' && /--std 0\.25098$/.test(stdOnly.issues[0].message));
  // Exactly 1 and negative means are on the 0-1 scale.
  assert.ok(resolveOptions([{ size, mean: [1, -0.5, 0], std: [1, 0.5, 0.25] }]).ok);
});
