import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultOptions } from '../../src/shared/options.js';
import { transformText } from '../../src/renderer/lib/transform-text.js';

it('says how a tile was resized and coloured', () => {
  const o = { ...defaultOptions(), size: { height: 16, width: 12 } };
  assert.equal(transformText(o, { height: 16, width: 12 }), 'stretch to 16×12, bilinear with antialias; RGB, EXIF rotation applied');
  assert.equal(
    transformText({ ...o, resize: 'none', color: 'grayscale', exif: false, padValue: 0 }, { height: 40, width: 30 }),
    'padded to 40×30 (the largest image), pad value 0; grayscale',
  );
});
