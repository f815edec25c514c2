import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppUrl, isTrustedSender } from '../../src/main/sender-check.js';

const fileEntry = 'file:///opt/img2npy/resources/app.asar/out/renderer/index.html';
const devEntry = 'http://localhost:5173/';
const trusted = { webContentsIds: new Set([3]), entryUrl: fileEntry };
const sender = { webContentsId: 3, frameUrl: `${fileEntry}#/convert`, isMainFrame: true };

describe('isAppUrl', () => {
  it('accepts the entry file with any query or hash', () => {
    assert.equal(isAppUrl(fileEntry, fileEntry), true);
    assert.equal(isAppUrl(`${fileEntry}?x=1#top`, fileEntry), true);
  });
  it('accepts any page of the dev or test server origin', () => {
    assert.equal(isAppUrl('http://localhost:5173/index.html', devEntry), true);
  });
  it('rejects other files, origins, schemes and junk', () => {
    assert.equal(isAppUrl('file:///tmp/evil.html', fileEntry), false);
    assert.equal(isAppUrl('file://host/opt/img2npy/resources/app.asar/out/renderer/index.html', fileEntry), false);
    assert.equal(isAppUrl('http://localhost:5174/', devEntry), false);
    assert.equal(isAppUrl('https://localhost:5173/', devEntry), false);
    assert.equal(isAppUrl('https://example.com/', fileEntry), false);
    assert.equal(isAppUrl('data:text/html,hi', fileEntry), false);
    assert.equal(isAppUrl('about:blank', 'about:blank'), false);
    assert.equal(isAppUrl('not a url', fileEntry), false);
    assert.equal(isAppUrl(undefined, fileEntry), false);
    assert.equal(isAppUrl(fileEntry, 'not a url'), false);
  });
});

describe('isTrustedSender', () => {
  it('trusts the main frame of an app window showing the app', () => {
    assert.equal(isTrustedSender(sender, trusted), true);
  });
  it('refuses another webContents', () => {
    assert.equal(isTrustedSender({ ...sender, webContentsId: 4 }, trusted), false);
  });
  it('refuses iframes', () => {
    assert.equal(isTrustedSender({ ...sender, isMainFrame: false }, trusted), false);
  });
  it('refuses a window that navigated elsewhere or whose frame is gone', () => {
    assert.equal(isTrustedSender({ ...sender, frameUrl: 'https://example.com/' }, trusted), false);
    assert.equal(isTrustedSender({ ...sender, frameUrl: undefined }, trusted), false);
  });
  it('refuses everything when no window is open', () => {
    assert.equal(isTrustedSender(sender, { ...trusted, webContentsIds: new Set() }), false);
  });
});
