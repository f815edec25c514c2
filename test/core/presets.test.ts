import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PresetStore, defaultPresetsDir, parsePreset } from '../../src/core/presets.js';
import { tempDir } from '../helpers/tmp.js';

test('presets dir follows XDG_CONFIG_HOME and platform conventions', () => {
  assert.equal(defaultPresetsDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux'), '/cfg/img2npy/presets');
  assert.match(defaultPresetsDir({}, 'linux'), /\.config\/img2npy\/presets$/);
  assert.match(defaultPresetsDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'), /img2npy.presets$/);
  assert.match(defaultPresetsDir({}, 'darwin'), /Library\/Application Support\/img2npy\/presets$/);
});

test('save, list, get, rename, export/import, delete round-trip', async (t) => {
  const store = new PresetStore(await tempDir(t));
  await store.save({ name: 'my224', options: { size: { height: 224, width: 224 }, resize: 'crop' } });
  await store.save({ name: 'gray', options: { color: 'grayscale' } });
  assert.deepEqual((await store.list()).map((p) => p.name), ['gray', 'my224']);
  assert.deepEqual((await store.get('my224')).options, { size: { height: 224, width: 224 }, resize: 'crop' });
  await store.rename('gray', 'grey');
  assert.deepEqual((await store.list()).map((p) => p.name), ['grey', 'my224']);
  const json = await store.export('grey');
  assert.equal(await store.delete('grey'), true);
  assert.equal(await store.delete('grey'), false);
  assert.equal((await store.import(json)).name, 'grey');
  await assert.rejects(store.get('nope'), { code: 'preset-not-found' });
});

test('invalid options and names are refused with the option named', async (t) => {
  const store = new PresetStore(await tempDir(t));
  await assert.rejects(store.save({ name: 'bad', options: { batchSize: 0 } as never }), /Expected integer between 1 and 65536 for batchSize but received 0/);
  await assert.rejects(store.save({ name: '../evil', options: {} }), /preset name/);
  assert.throws(() => parsePreset('{"name":"x","options":{"dtype":"int8"}}', 'x.json'), /x.json has invalid options:\n.*dtype/);
  assert.throws(() => parsePreset('{oops', 'y.json'), { code: 'preset-invalid', message: /y.json is not valid JSON/ });
});

test('a corrupt preset file is reported by path and never overwritten', async (t) => {
  const dir = await tempDir(t);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'broken.json');
  await writeFile(file, '{"name": "broken", "options": {');
  const store = new PresetStore(dir);
  await assert.rejects(store.list(), (err: Error & { code: string; file: string }) => err.code === 'preset-invalid' && err.file === file);
  await assert.rejects(store.save({ name: 'broken', options: {} }), { code: 'preset-invalid' });
  assert.equal(await readFile(file, 'utf8'), '{"name": "broken", "options": {');
});
