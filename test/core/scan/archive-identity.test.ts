/**
 * An archive is read again after its listing (a .tar.gz per feed pass, a zip or tar member per
 * open): each of those reads checks it opens the file that was listed. Real archives from
 * Python's zipfile/tarfile, replaced by rename (new inode), rewritten in place (same inode, new
 * size) or deleted: the read fails naming the archive (input-unreadable, which ends the job),
 * never hands out another file's bytes. Unchanged archives read as before.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readArchiveEntry } from '../../../src/core/scan/archive-read.js';
import { type ArchiveMember, identityOf } from '../../../src/core/scan/archive-members.js';
import { TarGzFeed } from '../../../src/core/scan/tar-gz-feed.js';
import { listTarGz } from '../../../src/core/scan/tar-gz-members.js';
import { listZip } from '../../../src/core/scan/zip-members.js';
import { Img2npyError } from '../../../src/shared/errors.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

/** 12 members of random bytes (4-20 KiB) in ds.tgz and ds.zip; other.tgz/other.zip hold the same names with other bytes. */
const makeArchives = `
import os, sys, tarfile, zipfile, numpy as np
base = sys.argv[1]
for name, seed in [('ds', 1), ('other', 2)]:
    rng = np.random.default_rng(seed)
    blobs = [rng.integers(0, 256, int(rng.integers(4096, 20480)), dtype=np.uint8).tobytes() for i in range(12)]
    with tarfile.open(os.path.join(base, name + '.tgz'), 'w:gz') as t:
        for i, b in enumerate(blobs):
            p = os.path.join(base, f'{name}-{i:02d}.bin'); open(p, 'wb').write(b); t.add(p, arcname=f'ds/{i:02d}.bin')
    with zipfile.ZipFile(os.path.join(base, name + '.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
        for i, b in enumerate(blobs): z.writestr(f'ds/{i:02d}.bin', b)
print('null')
`;

async function archives(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  await py(makeArchives, [dir]);
  return dir;
}

/** The members as scanArchive leaves them: each source carries the archive's identity at listing. */
async function listed(archive: string, members: ArchiveMember[]): Promise<ArchiveMember[]> {
  const identity = identityOf(await stat(archive));
  const files = members.filter((m) => m.kind === 'file');
  for (const m of files) m.source!.identity = identity;
  return files;
}

const changed = (pattern: RegExp, archive: string) => (err: unknown) => {
  assert.ok(err instanceof Img2npyError, String(err));
  assert.equal(err.code, 'input-unreadable');
  assert.equal(err.file, archive);
  assert.match(err.message, new RegExp(`^Archive ${archive.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} changed while it was being converted \\(`));
  assert.match(err.message, /nothing was written$/);
  assert.match(err.message, pattern);
  return true;
};

test('.tar.gz feed: an unchanged archive reads; replaced before the first pass, or between passes, the pass fails naming it', async (t) => {
  const dir = await archives(t);
  const gz = join(dir, 'ds.tgz');
  const files = await listed(gz, await listTarGz(gz, () => false));
  assert.equal(files.length, 12);

  const ok = new TarGzFeed(gz, files.map((f) => f.source!));
  assert.ok((await ok.read(files[3].source!, files[3].raw)).equals(await readFile(join(dir, 'ds-03.bin'))));
  ok.close();

  // Second pass: member 9 first, then member 2 (passed, not kept with a 0-byte budget) needs a restart.
  const order = [files[9], files[2]];
  const feed = new TarGzFeed(gz, order.map((f) => f.source!), { budget: 0 });
  assert.ok((await feed.read(files[9].source!, files[9].raw)).equals(await readFile(join(dir, 'ds-09.bin'))));
  assert.equal(feed.passes, 1);
  await rename(join(dir, 'other.tgz'), gz);
  await assert.rejects(feed.read(files[2].source!, files[2].raw), changed(/replaced by another file since it was listed/, gz));
  assert.equal(feed.passes, 2);
  feed.close();

  const fresh = new TarGzFeed(gz, files.map((f) => f.source!));
  await assert.rejects(fresh.read(files[0].source!, files[0].raw), changed(/replaced by another file/, gz));
  fresh.close();

  await rm(gz);
  const gone = new TarGzFeed(gz, files.map((f) => f.source!));
  await assert.rejects(gone.read(files[0].source!, files[0].raw), changed(/cannot be opened any more: ENOENT/, gz));
  gone.close();
});

test('zip member reads: unchanged reads the member; rewritten in place, replaced or deleted fails naming the archive', async (t) => {
  const dir = await archives(t);
  const zip = join(dir, 'ds.zip');
  const files = await listed(zip, await listZip(zip));
  assert.ok(readArchiveEntry(files[5].source!, files[5].raw).equals(await readFile(join(dir, 'ds-05.bin'))));

  // Same inode, one byte more: the size tells.
  const bytes = await readFile(zip);
  await writeFile(zip, Buffer.concat([bytes, Buffer.from([0])]));
  assert.throws(() => readArchiveEntry(files[5].source!, files[5].raw), changed(/its size went from \d+ to \d+ bytes since it was listed/, zip));

  // Same bytes as listed, but another file (a new inode): not the file listed.
  await writeFile(join(dir, 'copy.zip'), bytes);
  await rename(join(dir, 'copy.zip'), zip);
  assert.throws(() => readArchiveEntry(files[5].source!, files[5].raw), changed(/replaced by another file/, zip));

  await rm(zip);
  assert.throws(() => readArchiveEntry(files[5].source!, files[5].raw), changed(/cannot be opened any more: ENOENT/, zip));

  // Without an identity (a source not from a scan) another archive is only found out member by member.
  await copyFile(join(dir, 'other.zip'), zip);
  const bare = { ...files[5].source! };
  delete bare.identity;
  assert.throws(() => readArchiveEntry(bare, files[5].raw), { code: 'unreadable-image' });
});
