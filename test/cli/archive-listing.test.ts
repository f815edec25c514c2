/**
 * Archive inputs through the CLI, watching its --json events as they are written: the .tar.gz
 * listing reports progress (compressed bytes read and members found, rising, ending at the
 * archive's size and member count), and an archive replaced or rewritten after it was listed
 * ends the job naming it, with nothing written, for .tar.gz, .zip and .tar alike. The archive is
 * changed from inside the event the CLI writes at that moment (the first decode event: listed,
 * nothing read yet; the last listing event: still being listed), so no timing is involved.
 */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { dryRun } from '../../src/core/index.js';
import { run } from '../../src/cli/run.js';
import { humanReporter } from '../../src/cli/reporter.js';
import type { ProgressEvent } from '../../src/shared/progress.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

/** ds/{a,b}/*.png and a 6 MiB random ds/a/blob.bin (listed, not an image), as .tgz, .zip and .tar; other.* the same names, other pixels. */
const makeArchives = `
import io, os, sys, tarfile, zipfile, numpy as np
from PIL import Image
base = sys.argv[1]
counts = {}
for name, seed in [('ds', 1), ('other', 2)]:
    rng = np.random.default_rng(seed)
    files = {}
    for c in ['a', 'b']:
        for i in range(3):
            png = io.BytesIO(); Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(png, 'PNG')
            files[f'ds/{c}/{i}.png'] = png.getvalue()
    files['ds/a/blob.bin'] = rng.integers(0, 256, 6 * 1024 * 1024, dtype=np.uint8).tobytes()
    for ext, mode in [('tgz', 'w:gz'), ('tar', 'w')]:
        with tarfile.open(os.path.join(base, f'{name}.{ext}'), mode) as t:
            for n, b in files.items():
                info = tarfile.TarInfo(n); info.size = len(b); t.addfile(info, io.BytesIO(b))
    with zipfile.ZipFile(os.path.join(base, name + '.zip'), 'w') as z:
        for n, b in files.items(): z.writestr(n, b)
    counts[name] = len(files)
print(counts['ds'])
`;

async function archives(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; members: number }> {
  const dir = await tempDir(t);
  const members = await py<number>(makeArchives, [dir]);
  return { dir, members };
}

/** Runs the CLI in this process with --json; `onEvent` sees each event as the CLI writes it. */
async function watched(argv: string[], onEvent: (e: { type: string } & Partial<ProgressEvent> & Record<string, unknown>) => void) {
  let stdout = '';
  let stderr = '';
  let pending = '';
  const code = await run({
    argv: [...argv, '--json'],
    stdout: {
      write: (s: string) => {
        stdout += s;
        pending += s;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) onEvent(JSON.parse(line));
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
    env: process.env,
  });
  return { code, stdout, stderr, last: JSON.parse(stdout.trim().split('\n').pop()!) };
}

test('a .tar.gz listing reports progress on the scan phase: bytes read from 0 to the archive size, members found up to the count', async (t) => {
  const { dir, members } = await archives(t);
  const gz = join(dir, 'ds.tgz');
  const size = (await stat(gz)).size;
  const listing: ProgressEvent[] = [];
  const r = await watched(['convert', gz, '--out', join(dir, 'out', 'o.npz'), '--size', '8x8', '--jobs', '1'], (e) => {
    if (e.type === 'progress' && e.membersFound !== undefined) listing.push(e as unknown as ProgressEvent);
  });
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-500));
  assert.ok(listing.length >= 2, `listing events: ${listing.length}`);
  for (const e of listing) {
    assert.equal(e.phase, 'scan');
    assert.equal(e.file, gz);
    assert.equal(e.total, size);
    assert.equal(e.imagesPerSecond, 0);
  }
  assert.equal(listing[0].done, 0);
  assert.equal(listing[0].membersFound, 0);
  for (let i = 1; i < listing.length; i++) {
    assert.ok(listing[i].done >= listing[i - 1].done && listing[i].membersFound! >= listing[i - 1].membersFound!, `event ${i} went back`);
  }
  assert.equal(listing.at(-1)!.done, size);
  assert.equal(listing.at(-1)!.membersFound, members);
  assert.deepEqual(r.last.shape, [6, 8, 8, 3]);
});

test('the human reporter shows the listing on a terminal, in place, with the archive, the share read and the members found', () => {
  let err = '';
  const reporter = humanReporter({ write: () => undefined }, { write: (s: string) => (err += s), isTTY: true, columns: 100 }, false);
  const base = { jobId: 'j', phase: 'scan' as const, imagesPerSecond: 0, etaSeconds: null, skipped: 0 };
  reporter.progress({ ...base, done: 3 * 1024 * 1024, total: 12 * 1024 * 1024, file: '/data/ds.tgz', membersFound: 41 });
  assert.equal(err, '\r\x1b[2KListing /data/ds.tgz: 25% (3.0 MB of 12.0 MB), 41 members');
  err = '';
  reporter.progress({ ...base, done: 0, total: 0, file: null });
  assert.equal(err, '', 'a scan event without a listing shows nothing, as before');
});

for (const ext of ['tgz', 'zip', 'tar']) {
  test(`.${ext} replaced after it was listed and before it is read: the job fails naming it, nothing is written`, async (t) => {
    const { dir } = await archives(t);
    const input = join(dir, `ds.${ext}`);
    const out = join(dir, 'out');
    let replaced = false;
    const r = await watched(['convert', input, '--out', join(out, 'o.npz'), '--size', '8x8', '--jobs', '2'], (e) => {
      if (replaced || e.type !== 'progress' || e.phase !== 'decode') return;
      replaced = true;
      // A zip rewritten in place keeps its inode: its size and time tell. The others are renamed over.
      if (ext === 'zip') writeFileSync(input, readFileSync(join(dir, 'other.zip')));
      else renameSync(join(dir, `other.${ext}`), input);
    });
    assert.ok(replaced, 'never saw the decode phase start');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.last.type, 'error');
    assert.equal(r.last.error.code, 'input-unreadable');
    assert.equal(r.last.error.file, input);
    assert.match(r.last.error.message, /changed while it was being converted \(.*since it was listed\); nothing was written$/);
    assert.deepEqual(await readdir(out).catch(() => []), []);
  });
}

test('a .tar.gz replaced while it is listed is refused before anything is read', async (t) => {
  const { dir } = await archives(t);
  const gz = join(dir, 'ds.tgz');
  let replaced = false;
  const r = await watched(['convert', gz, '--out', join(dir, 'out', 'o.npz'), '--size', '8x8'], (e) => {
    if (replaced || e.type !== 'progress' || e.membersFound === undefined || e.done !== e.total) return;
    replaced = true;
    renameSync(join(dir, 'other.tgz'), gz);
  });
  assert.ok(replaced);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.last.error.code, 'input-unreadable');
  assert.match(r.last.error.message, /^Archive .*ds\.tgz changed while it was being listed \(it was replaced by another file since it was listed\)/);
  assert.deepEqual(await readdir(join(dir, 'out')).catch(() => []), []);
});

test('an archive left alone converts as before (the identity check passes on every open)', async (t) => {
  const { dir } = await archives(t);
  for (const ext of ['tgz', 'zip', 'tar']) {
    const r = await watched(['convert', join(dir, `ds.${ext}`), '--out', join(dir, `out-${ext}`, 'o.npz'), '--size', '8x8', '--jobs', '2'], () => undefined);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-300));
    assert.deepEqual(r.last.shape, [6, 8, 8, 3]);
  }
});

test('img2npy scan of a .tar.gz reports its listing to the engine caller, and --json still prints one document', async (t) => {
  const { dir, members } = await archives(t);
  const gz = join(dir, 'ds.tgz');
  const size = (await stat(gz)).size;
  const listing: ProgressEvent[] = [];
  const report = await dryRun(gz, { size: { height: 8, width: 8 } }, { onProgress: (e) => listing.push(e) });
  assert.equal(report.shape?.[0], 6);
  assert.ok(listing.length >= 2, `listing events: ${listing.length}`);
  assert.deepEqual([listing[0].done, listing.at(-1)!.done, listing.at(-1)!.membersFound], [0, size, members]);
  for (let i = 1; i < listing.length; i++) assert.ok(listing[i].done >= listing[i - 1].done, `event ${i} went back`);
  const r = await cli(['scan', gz, '--size', '8x8', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one JSON document');
});
