import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorInAppWords, inAppWords } from '../../src/renderer/lib/app-words.js';

describe('inAppWords', () => {
  it('names the window’s controls instead of CLI flags', () => {
    assert.equal(
      inAppWords('Output /d/x.npz already exists (an img2npy output from an earlier run); turn on overwrite (--overwrite) to replace it'),
      'Output /d/x.npz already exists (an img2npy output from an earlier run); turn on overwrite (“Overwrite existing output”) to replace it',
    );
    assert.equal(inAppWords('move it away or choose another destination (--out)'), 'move it away or choose another destination (“Output Choose…”)');
    assert.equal(inAppWords('--validation-split needs --shuffle'), '“Validation split” needs “Shuffle”');
    assert.equal(inAppWords('--no-shuffle keeps file order'), '“Shuffle” off keeps file order');
  });
  it('names options by their labels and drops type jargon', () => {
    assert.equal(
      inAppWords('Expected integer between 1 and 65536 for batchSize but received 0 of type number'),
      'Expected integer between 1 and 65536 for Batch size but received 0',
    );
    assert.equal(inAppWords('Expected a size (HxW) for size but received "abc" of type string'), 'Expected a size (HxW) for Size (HxW) but received "abc"');
  });
  it('leaves unknown flags, words and paths alone, and keeps the rest of the error', () => {
    assert.equal(inAppWords('for example --no-such-flag in /data/for x'), 'for example --no-such-flag in /data/for x');
    const error = errorInAppWords({ code: 'output-exists', message: 'use --overwrite', file: '/x' });
    assert.deepEqual(error, { code: 'output-exists', message: 'use “Overwrite existing output”', file: '/x' });
  });
});
