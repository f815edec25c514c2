/**
 * The .tar.gz feed against real archives made by Python's tarfile: members come out byte-equal
 * to the files archived whatever the request order; sorted requests take one pass, shuffled ones
 * one pass when the budget holds what lies between and more passes (evicting, restarting) when it
 * does not; a member larger than the budget is still delivered; a damaged stream, a cancel and a
 * close reject every waiter, none is left hanging.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Img2npyError } from '../../../src/shared/errors.js';
import type { ArchiveMember } from '../../../src/core/scan/archive-members.js';
import { TarGzFeed } from '../../../src/core/scan/tar-gz-feed.js';
import { listTarGz } from '../../../src/core/scan/tar-gz-members.js';
import type { EntrySource } from '../../../src/core/types.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

/** 40 members of random bytes, 1 to 40 KiB (one of 300 KiB), written beside the archive too. */
const makeArchive = `
import os, sys, tarfile, numpy as np
base = sys.argv[1]
rng = np.random.default_rng(3)
os.makedirs(os.path.join(base, 'ds'))
with tarfile.open(os.path.join(base, 'ds.tgz'), 'w:gz', format=tarfile.PAX_FORMAT) as t:
    for i in range(40):
        n = 300 * 1024 if i == 17 else int(rng.integers(1024, 40 * 1024))
        p = os.path.join(base, 'ds', f'{i:02d}.bin')
        open(p, 'wb').write(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
        t.add(p, arcname=f'ds/{i:02d}.bin')
print('null')
`;

async function archive(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; gz: string; files: ArchiveMember[] }> {
  const dir = await tempDir(t);
  await py(makeArchive, [dir]);
  const gz = join(dir, 'ds.tgz');
  const files = (await listTarGz(gz, () => false)).filter((m) => m.kind === 'file');
  assert.equal(files.length, 40);
  return { dir, gz, files };
}

/** Requests in `order`, at most `inFlight` at once, each started as the earliest one finishes (as orderedPool does). */
async function readAll(feed: TarGzFeed, order: ArchiveMember[], inFlight: number): Promise<Buffer[]> {
  const out: Promise<Buffer>[] = [];
  for (let i = 0; i < order.length; i++) {
    if (i >= inFlight) await out[i - inFlight];
    out.push(feed.read(order[i].source!, order[i].raw));
  }
  return Promise.all(out);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const a = items.slice();
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function assertBytes(dir: string, order: ArchiveMember[], got: Buffer[]): Promise<void> {
  for (const [i, m] of order.entries()) assert.ok(got[i].equals(await readFile(join(dir, m.raw))), `${m.raw} differs from the file archived`);
}

test('sorted requests: every member byte-equal, one pass', async (t) => {
  const { dir, gz, files } = await archive(t);
  const feed = new TarGzFeed(gz, files.map((f) => f.source!));
  const got = await readAll(feed, files, 6);
  feed.close();
  await assertBytes(dir, files, got);
  assert.equal(feed.passes, 1);
});

test('shuffled requests: one pass when the budget holds what lies between; with a tiny budget, evictions and restarts, still byte-equal', async (t) => {
  const { dir, gz, files } = await archive(t);
  const order = shuffled(files, 11);
  const roomy = new TarGzFeed(gz, order.map((f) => f.source!), { budget: 64 * 1024 * 1024 });
  await assertBytes(dir, order, await readAll(roomy, order, 4));
  roomy.close();
  assert.equal(roomy.passes, 1);

  // 64 KiB holds about three members: the order forces passes back to the top.
  const tight = new TarGzFeed(gz, order.map((f) => f.source!), { budget: 64 * 1024 });
  await assertBytes(dir, order, await readAll(tight, order, 3));
  tight.close();
  assert.ok(tight.passes > 1, `expected more than one pass, got ${tight.passes}`);

  // Requested twice, and once out of the declared order: still the right bytes.
  const twice = [...order.slice(0, 10), ...order.slice(0, 10)];
  const again = new TarGzFeed(gz, twice.map((f) => f.source!), { budget: 0 });
  await assertBytes(dir, twice, await readAll(again, twice, 2));
  assert.ok((await again.read(files[39].source!, files[39].raw)).equals(await readFile(join(dir, files[39].raw))));
  again.close();
});

test('a member larger than the whole budget is delivered when it is the one asked for', async (t) => {
  const { dir, gz, files } = await archive(t);
  const big = files.find((f) => f.source!.length === 300 * 1024)!;
  const feed = new TarGzFeed(gz, [big.source!], { budget: 1024 });
  assert.ok((await feed.read(big.source!, big.raw)).equals(await readFile(join(dir, big.raw))));
  feed.close();
});

test('a damaged gzip stream, a cancel and a close reject every waiter (none hangs)', async (t) => {
  const { dir, gz, files } = await archive(t);
  const sources = files.map((f) => f.source!);
  const bytes = await readFile(gz);
  // Corrupt the deflate data a third of the way in: members before it may still come out.
  for (let i = Math.floor(bytes.length / 3); i < Math.floor(bytes.length / 3) + 64; i++) bytes[i] ^= 0x5a;
  const bad = join(dir, 'bad.tgz');
  await writeFile(bad, bytes);
  const feed = new TarGzFeed(bad, sources.map((s) => ({ ...s, archive: bad })));
  const results = await Promise.allSettled(sources.map((s, i) => feed.read({ ...s, archive: bad }, files[i].raw)));
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.ok(rejected.length > 0);
  for (const r of rejected) {
    const err = (r as PromiseRejectedResult).reason as Img2npyError;
    assert.ok(err instanceof Img2npyError);
    assert.equal(err.code, 'input-unreadable');
    assert.match(err.message, /bad\.tgz (is not a readable gzip file|is truncated|cannot be read)/);
  }
  await assert.rejects(feed.read({ ...sources[0], archive: bad }, files[0].raw), /bad\.tgz/, 'a failed feed refuses later reads too');
  feed.close();

  const controller = new AbortController();
  const cancelled = new TarGzFeed(gz, sources, { signal: controller.signal });
  const waiting = sources.map((s, i) => cancelled.read(s, files[i].raw));
  controller.abort();
  for (const r of await Promise.allSettled(waiting)) {
    if (r.status === 'rejected') assert.equal((r.reason as Img2npyError).code, 'cancelled');
  }
  assert.ok((await Promise.allSettled(waiting)).some((r) => r.status === 'rejected'));

  const closed = new TarGzFeed(gz, sources);
  const pending = sources.map((s, i) => closed.read(s, files[i].raw));
  closed.close();
  assert.ok((await Promise.allSettled(pending)).some((r) => r.status === 'rejected'));

  // A member the stream never reaches (the archive changed since it was listed) is refused by name.
  const past: EntrySource = { ...sources[39], offset: sources[39].offset + 10 * 1024 * 1024, name: 'ds/gone.bin' };
  const ended = new TarGzFeed(gz, [past]);
  await assert.rejects(ended.read(past, 'ds.tgz/ds/gone.bin'), (err: Img2npyError) => err.code === 'unreadable-image' && /ds\.tgz\/ds\/gone\.bin.*ends inside it/.test(err.message));
  ended.close();
});
