/**
 * The PNG reader's native inflate (zlib's uncompress2 through koffi) accepts exactly what
 * node:zlib inflates whole, and says -1 for every stream that is not exactly one whole zlib
 * stream fitting the buffer: the reader then leaves the file to sharp.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync, inflateSync } from 'node:zlib';
import { inflateInto } from '../../../src/core/decode/zlib-native.js';

const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251));
const stream = deflateSync(data);

test('on Linux the native inflate is there (CI would otherwise only test the fallback)', { skip: process.platform !== 'linux' && 'libz is looked up on Linux and macOS only' }, () => {
  assert.notEqual(inflateInto(stream, new Uint8Array(data.length + 1)), null);
});

test('a whole stream inflates to the same bytes as node:zlib', () => {
  const out = new Uint8Array(data.length + 1);
  const n = inflateInto(stream, out);
  if (n === null) return; // no native zlib here: the reader uses node:zlib itself
  assert.equal(n, data.length);
  assert.deepEqual(Buffer.from(out.subarray(0, n)), inflateSync(stream));
});

test('too long for the buffer, truncated, damaged checksum or followed by more bytes: -1', () => {
  if (inflateInto(stream, new Uint8Array(data.length)) === null) return;
  assert.equal(inflateInto(stream, new Uint8Array(data.length - 1)), -1, 'longer than the buffer');
  assert.equal(inflateInto(stream.subarray(0, stream.length - 5), new Uint8Array(data.length + 1)), -1, 'truncated');
  const badSum = Buffer.from(stream);
  badSum[badSum.length - 1] ^= 1;
  assert.throws(() => inflateSync(badSum));
  assert.equal(inflateInto(badSum, new Uint8Array(data.length + 1)), -1, 'adler-32 wrong');
  assert.equal(inflateInto(Buffer.concat([stream, Buffer.of(0, 0)]), new Uint8Array(data.length + 1)), -1, 'bytes after the stream');
  assert.equal(inflateInto(Buffer.of(1, 2, 3, 4), new Uint8Array(16)), -1, 'not zlib');
  assert.equal(inflateInto(new Uint8Array(0), new Uint8Array(16)), -1, 'empty');
});
