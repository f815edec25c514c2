import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headlessArgs } from '../../src/main/headless.js';
import { contentSecurityPolicy } from '../../src/main/csp.js';

describe('headlessArgs', () => {
  it('returns the CLI arguments after --headless (packaged and dev launches)', () => {
    assert.deepEqual(headlessArgs(['/opt/img2npy/img2npy', '--headless', 'convert', 'in', '--out', 'x.npz']), ['convert', 'in', '--out', 'x.npz']);
    assert.deepEqual(headlessArgs(['electron', '.', '--headless', 'presets', 'list', '--json']), ['presets', 'list', '--json']);
  });
  it('returns an empty list for a bare --headless (the CLI prints its help)', () => {
    assert.deepEqual(headlessArgs(['img2npy', '--headless']), []);
  });
  it('returns null without the switch, even when a CLI-like word appears', () => {
    assert.equal(headlessArgs(['img2npy']), null);
    assert.equal(headlessArgs(['img2npy', 'convert', '--headless-ish']), null);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only the app itself, plus data: images for previews', () => {
    const csp = contentSecurityPolicy();
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.doesNotMatch(csp, /unsafe-inline/);
  });
  it('lets the dev server inject styles and its websocket, and only in dev', () => {
    const dev = contentSecurityPolicy({ dev: true });
    assert.match(dev, /style-src 'self' 'unsafe-inline'/);
    assert.match(dev, /connect-src 'self' ws:/);
    assert.doesNotMatch(dev, /script-src[^;]*unsafe/);
  });
});
