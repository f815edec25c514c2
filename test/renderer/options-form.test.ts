import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionSpecs, specFor } from '../../src/shared/options.js';
import {
  combinationIssues, controlFor, controlText, defaultText, effectiveOptions, groupedSpecs, readControl,
} from '../../src/renderer/lib/options-form.js';

describe('options panel derived from optionSpecs', () => {
  it('shows every option exactly once, in schema groups', () => {
    const shown = groupedSpecs().flatMap((g) => g.specs.map((s) => s.key));
    assert.deepEqual([...shown].sort(), optionSpecs.map((s) => s.key).sort());
    for (const g of groupedSpecs()) assert.ok(g.specs.every((s) => s.group === g.group));
  });
  it('picks the control from the kind', () => {
    assert.equal(controlFor(specFor('dtype')), 'select');
    assert.equal(controlFor(specFor('shuffle')), 'checkbox');
    assert.equal(controlFor(specFor('batchSize')), 'number');
    assert.equal(controlFor(specFor('validationSplit')), 'number');
    assert.equal(controlFor(specFor('size')), 'text');
    assert.equal(controlFor(specFor('mean')), 'text');
    assert.equal(controlFor(specFor('classNames')), 'text');
    assert.equal(controlFor(specFor('labels')), 'text');
  });
});

describe('readControl', () => {
  it('reads valid text into typed values', () => {
    assert.deepEqual(readControl(specFor('size'), '64x32'), { set: true, value: { height: 64, width: 32 } });
    assert.deepEqual(readControl(specFor('mean'), '1, 2,3'), { set: true, value: [1, 2, 3] });
    assert.deepEqual(readControl(specFor('classNames'), 'b,a'), { set: true, value: ['b', 'a'] });
    assert.deepEqual(readControl(specFor('batchSize'), '16'), { set: true, value: 16 });
    assert.deepEqual(readControl(specFor('dtype'), 'float16'), { set: true, value: 'float16' });
    assert.deepEqual(readControl(specFor('shuffle'), true), { set: true, value: true });
  });
  it('treats empty text as not set', () => {
    assert.deepEqual(readControl(specFor('size'), '  '), { set: false });
    assert.deepEqual(readControl(specFor('dtype'), ''), { set: false });
  });
  it('gives the shared validator message for invalid text', () => {
    assert.deepEqual(readControl(specFor('batchSize'), '0'), {
      issue: 'Expected integer between 1 and 65536 for batchSize but received 0 of type number',
    });
    assert.match((readControl(specFor('size'), 'big') as { issue: string }).issue, /Expected HxW such as 224x224 for size/);
    assert.match((readControl(specFor('validationSplit'), '1') as { issue: string }).issue, /for validationSplit/);
    assert.match((readControl(specFor('labels'), 'labels.txt') as { issue: string }).issue, /for labels/);
  });
  it('formats values back to the text it reads', () => {
    for (const [key, value] of [['size', { height: 5, width: 7 }], ['mean', [1.5, 2]], ['seed', 42]] as const) {
      const spec = specFor(key);
      assert.deepEqual(readControl(spec, controlText(spec, value)), { set: true, value });
    }
  });
});

describe('effective options and combination issues', () => {
  it('asks for a size until one is set or like=keras provides it', () => {
    assert.match(combinationIssues({}).size?.[0] ?? '', /Expected a size/);
    assert.deepEqual(combinationIssues({ size: { height: 8, width: 8 } }), {});
    assert.deepEqual(combinationIssues({ like: 'keras' }), {});
    assert.deepEqual(effectiveOptions({ like: 'keras' }).size, { height: 256, width: 256 });
  });
  it('shows Keras defaults as placeholders under like=keras', () => {
    assert.equal(defaultText(specFor('dtype'), effectiveOptions({ like: 'keras' })), 'float32');
    assert.equal(defaultText(specFor('dtype'), effectiveOptions({})), 'uint8');
    assert.equal(defaultText(specFor('seed'), effectiveOptions({})), 'random (reported)');
  });
  it('places a cross-option issue on the option it names', () => {
    const issues = combinationIssues({ size: { height: 8, width: 8 }, normalize: 'unit', dtype: 'uint8' });
    assert.match(issues.dtype?.[0] ?? '', /Expected float32 or float16 for dtype/);
  });
});
