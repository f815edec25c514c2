/**
 * Listing a .tar.gz in one streaming pass: names from ustar, pax and GNU long-name headers as
 * Python's tarfile writes them, data offsets that point at each member's bytes in the gunzipped
 * stream, small metadata files kept on the way, hostile members listed with their reason, a tar
 * cut inside a member listed as truncated, and a gzip bomb (a few MB of gzip declaring GiBs)
 * refused naming the archive, in bounded memory.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Img2npyError } from '../../../src/shared/errors.js';
import { listTarGz } from '../../../src/core/scan/tar-gz-members.js';
import { py } from '../../helpers/python.js';
import { tempDir } from '../../helpers/tmp.js';

test('pax and GNU long names, offsets into the gunzipped stream, kept metadata, hostile members and a cut tar', async (t) => {
  const dir = await tempDir(t);
  const long = `ds/cat/${'long-name-'.repeat(15)}\u00e9.png`;
  await py(
    `
import io, sys, tarfile
base, long = sys.argv[1], sys.argv[2]
def build(path, fmt, cut=None):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=fmt) as t:
        def add(name, data):
            i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
        add(long, b'L' * 700); add('ds/metadata.csv', b'file_name,label\\n'); add('ds/dog/a.png', b'A' * 5000)
        add('../up.png', b'x'); link = tarfile.TarInfo('ds/ln.png'); link.type = tarfile.SYMTYPE; link.linkname = 'a.png'; t.addfile(link)
    data = raw.getvalue()
    import gzip
    open(path, 'wb').write(gzip.compress(data[:cut] if cut else data))
build(base + '/pax.tgz', tarfile.PAX_FORMAT)
build(base + '/gnu.tgz', tarfile.GNU_FORMAT)
# Cut 1000 bytes into a.png's data (after its header).
with tarfile.open(base + '/gnu.tgz') as t:
    a = t.getmember('ds/dog/a.png')
build(base + '/cut.tgz', tarfile.GNU_FORMAT, a.offset_data + 1000)
print('null')
`,
    [dir, long],
  );
  for (const name of ['pax.tgz', 'gnu.tgz']) {
    const gz = join(dir, name);
    const members = await listTarGz(gz, (m) => m.raw.endsWith('metadata.csv'));
    const stream = gunzipSync(await readFile(gz));
    const by = new Map(members.map((m) => [m.raw, m]));
    assert.deepEqual([...by.keys()].sort(), ['../up.png', 'ds/dog/a.png', 'ds/ln.png', 'ds/metadata.csv', long].sort(), name);
    const l = by.get(long)!;
    assert.equal(l.source!.kind, 'tar.gz');
    assert.ok(stream.subarray(l.source!.offset, l.source!.offset + l.source!.length).equals(Buffer.alloc(700, 'L')), `${name}: offset of the long name's data`);
    const a = by.get('ds/dog/a.png')!.source!;
    assert.ok(stream.subarray(a.offset, a.offset + a.length).equals(Buffer.alloc(5000, 'A')));
    assert.equal(by.get('ds/metadata.csv')!.held?.toString(), 'file_name,label\n');
    assert.equal(by.get('ds/dog/a.png')!.held, undefined, 'only what the scan asks for is kept');
    assert.match(by.get('../up.png')!.problem!, /leads out/);
    assert.match(by.get('ds/ln.png')!.problem!, /it is a link/);
    assert.equal(by.get('ds/ln.png')!.source, null);
  }
  const cut = await listTarGz(join(dir, 'cut.tgz'), () => false);
  const a = cut.find((m) => m.raw === 'ds/dog/a.png')!;
  assert.equal(a.source, null);
  assert.equal(a.problem, 'the archive ends inside it (1000 of 5000 bytes)');
});

test('a gzip bomb (a tar declaring one 6 GiB member of zeros) is refused naming the archive, in bounded memory', async (t) => {
  const dir = await tempDir(t);
  const bomb = join(dir, 'bomb.tgz');
  // Many gzip members of 64 MiB of zeros each (concatenated gzip members are one valid stream).
  await py(
    `
import gzip, sys, tarfile
i = tarfile.TarInfo('ds/cat/zeros.png'); i.size = 6 * 1024 ** 3
head = i.tobuf(format=tarfile.GNU_FORMAT)
block = gzip.compress(bytes(64 * 1024 * 1024), 1)
with open(sys.argv[1], 'wb') as f:
    f.write(gzip.compress(head))
    for _ in range(72): f.write(block)
print('null')
`,
    [bomb],
  );
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await assert.rejects(listTarGz(bomb, () => true), (err: Img2npyError) => {
      assert.equal(err.code, 'input-unreadable');
      assert.match(err.message, /bomb\.tgz unpacks to more than 4294967296 bytes .* gzip bombs/);
      return true;
    });
  } finally {
    clearInterval(timer);
  }
  assert.ok(peak - base < 200 * 1024 * 1024, `listing grew the process by ${Math.round((peak - base) / 2 ** 20)} MiB`);
});

test('listing progress: compressed bytes read rise from 0 to the archive size, members found rise to the count listed', async (t) => {
  const dir = await tempDir(t);
  const gz = join(dir, 'big.tgz');
  // Random bytes do not compress: 8 MiB of archive, read in 1 MiB chunks, several reports at least.
  const count = await py<number>(
    `
import io, sys, tarfile, numpy as np
rng = np.random.default_rng(7)
with tarfile.open(sys.argv[1], 'w:gz') as t:
    for i in range(16):
        data = rng.integers(0, 256, 512 * 1024, dtype=np.uint8).tobytes()
        info = tarfile.TarInfo(f'ds/{i:02d}.bin'); info.size = len(data); t.addfile(info, io.BytesIO(data))
with tarfile.open(sys.argv[1]) as t:
    print(len(t.getmembers()))
`,
    [gz],
  );
  const size = (await readFile(gz)).length;
  const seen: { archive: string; bytesRead: number; totalBytes: number; members: number }[] = [];
  const members = await listTarGz(gz, () => false, undefined, (p) => seen.push(p));
  assert.equal(members.length, count);
  assert.deepEqual(seen[0], { archive: gz, bytesRead: 0, totalBytes: size, members: 0 });
  assert.deepEqual(seen.at(-1), { archive: gz, bytesRead: size, totalBytes: size, members: count });
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].bytesRead >= seen[i - 1].bytesRead && seen[i].members >= seen[i - 1].members, `report ${i} went back`);
    assert.ok(seen[i].bytesRead <= size);
  }
  assert.ok(new Set(seen.map((s) => s.bytesRead)).size >= 6, `only ${new Set(seen.map((s) => s.bytesRead)).size} distinct byte counts`);
  assert.ok(new Set(seen.map((s) => s.members)).size >= 6);
});
