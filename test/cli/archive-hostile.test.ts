/**
 * Hostile archives: names leading out (../, absolute), links (zip symlink, tar symlink and
 * hardlink), encrypted members and zip bombs (a member inflating past its declared size, one
 * above the compression-ratio limit, members sharing bytes, a total far past the archive's size)
 * are skipped with a reason naming the member, or refuse the archive, and the good images still
 * convert. Archives are crafted by Python's zipfile/tarfile and patched byte by byte.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const craft = `
import io, os, struct, sys, tarfile, zipfile, numpy as np
from PIL import Image
base = sys.argv[1]
def png(seed):
    b = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (4, 4, 3), dtype=np.uint8)).save(b, 'PNG')
    return b.getvalue()

def patch_central(path, changes):
    """changes: name -> {field: value}; fields flags (8), length (24), offset (42) of central headers."""
    data = bytearray(open(path, 'rb').read())
    at = data.rfind(b'PK\\x05\\x06')
    count, size, start = struct.unpack_from('<HII', data, at + 10)
    p = start
    for _ in range(count):
        n, m, k = struct.unpack_from('<HHH', data, p + 28)
        name = bytes(data[p + 46:p + 46 + n]).decode()
        for field, value in changes.get(name, {}).items():
            fmt, off = {'flags': ('<H', 8), 'length': ('<I', 24), 'offset': ('<I', 42)}[field]
            struct.pack_into(fmt, data, p + off, value)
        p += 46 + n + m + k
    open(path, 'wb').write(bytes(data))

def offsets(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: (i.header_offset, i.file_size) for i in z.infolist()}

z_path = os.path.join(base, 'hostile.zip')
with zipfile.ZipFile(z_path, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('ds/cat/ok.png', png(1))
    z.writestr('ds/dog/ok.png', png(2))
    z.writestr('ds/cat/liar.png', png(3))
    z.writestr('../evil.png', png(4))
    z.writestr('/abs.png', png(5))
    z.writestr('ds/cat/secret.png', png(6))
    link = zipfile.ZipInfo('ds/cat/link.png'); link.create_system = 3; link.external_attr = 0o120777 << 16
    z.writestr(link, 'ok.png')
    z.writestr('ds/cat/zeros.bmp', b'BM' + bytes(8 * 1024 * 1024))
o = offsets(z_path)
patch_central(z_path, {'ds/cat/liar.png': {'length': o['ds/cat/liar.png'][1] - 10}, 'ds/cat/secret.png': {'flags': 0x0801}})

overlap = os.path.join(base, 'overlap.zip')
with zipfile.ZipFile(overlap, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('ds/cat/a.png', png(1)); z.writestr('ds/cat/b.png', png(2))
patch_central(overlap, {'ds/cat/b.png': {'offset': offsets(overlap)['ds/cat/a.png'][0]}})

total = os.path.join(base, 'total.zip')
with zipfile.ZipFile(total, 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(4100): z.writestr(f'ds/cat/{i}.png', b'x')
patch_central(total, {f'ds/cat/{i}.png': {'length': 1024 * 1024} for i in range(4100)})

t_path = os.path.join(base, 'hostile.tar')
with tarfile.open(t_path, 'w', format=tarfile.GNU_FORMAT) as t:
    def add(name, data=b'', **kw):
        info = tarfile.TarInfo(name); info.size = len(data)
        for k, v in kw.items(): setattr(info, k, v)
        t.addfile(info, io.BytesIO(data) if data else None)
    add('ds/cat/ok.png', png(1)); add('ds/dog/ok.png', png(2))
    add('ds/cat/' + 'long-' * 30 + '.png', png(7))
    add('../evil.png', png(4)); add('/abs.png', png(5))
    add('ds/cat/sym.png', type=tarfile.SYMTYPE, linkname='ok.png')
    add('ds/cat/hard.png', type=tarfile.LNKTYPE, linkname='ds/cat/ok.png')
    add('ds/cat/fifo.png', type=tarfile.FIFOTYPE)
print('null')
`;

interface Skip { file: string; reason: string }

async function convertJson(args: string[]): Promise<{ code: number; stderr: string; skipped: Skip[]; paths: string[] }> {
  const r = await cli(['convert', ...args, '--json', '--jobs', '1']);
  const report = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; skipped: Skip[] }).find((m) => m.type === 'report');
  const paths = report ? (await py<string[]>(`import sys, json, numpy as np\nprint(json.dumps(np.load(sys.argv[1])['paths'].tolist()))`, [args[2]])) : [];
  return { code: r.code, stderr: r.stderr + r.stdout, skipped: report?.skipped ?? [], paths };
}

const reasonOf = (skipped: Skip[], file: string) => skipped.find((s) => s.file === file)?.reason ?? `(${file} not reported; got ${skipped.map((s) => s.file).join(', ')})`;

test('zip: ../ and absolute names, a link, an encrypted member, a member inflating past its size and one above 100:1 are skipped by name; the rest converts', async (t) => {
  const dir = await tempDir(t);
  await py(craft, [dir]);
  const r = await convertJson([join(dir, 'hostile.zip'), '--out', join(dir, 'out.npz'), '--size', '4x4']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.paths, ['cat/ok.png', 'dog/ok.png']);
  assert.match(reasonOf(r.skipped, '../evil.png'), /leads out of the archive's folder/);
  assert.match(reasonOf(r.skipped, '/abs.png'), /absolute path/);
  assert.match(reasonOf(r.skipped, 'cat/link.png'), /link/);
  assert.match(reasonOf(r.skipped, 'cat/secret.png'), /encrypted/);
  assert.match(reasonOf(r.skipped, 'cat/zeros.bmp'), /more than 100:1/);
  assert.match(reasonOf(r.skipped, 'cat/liar.png'), /hostile\.zip\/ds\/cat\/liar\.png.*inflates to more than its declared/);
});

test('zip: members sharing compressed bytes, or declaring more than 4 GiB in all, refuse the archive with the reason', async (t) => {
  const dir = await tempDir(t);
  await py(craft, [dir]);
  const overlap = await cli(['scan', join(dir, 'overlap.zip')]);
  assert.equal(overlap.code, 2, overlap.stderr);
  assert.match(overlap.stderr, /overlap\.zip has members that overlap \(ds\/cat\/a\.png and ds\/cat\/b\.png/);
  const total = await cli(['scan', join(dir, 'total.zip')]);
  assert.equal(total.code, 2, total.stderr);
  assert.match(total.stderr, /total\.zip declares 4299161600 bytes unpacked, more than 4294967296/);
});

test('tar: ../ and absolute names, symlink, hardlink and a FIFO are skipped by name; GNU long names are read', async (t) => {
  const dir = await tempDir(t);
  await py(craft, [dir]);
  const r = await convertJson([join(dir, 'hostile.tar'), '--out', join(dir, 'out.npz'), '--size', '4x4']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.paths, [`cat/${'long-'.repeat(30)}.png`, 'cat/ok.png', 'dog/ok.png']);
  assert.match(reasonOf(r.skipped, '../evil.png'), /leads out/);
  assert.match(reasonOf(r.skipped, '/abs.png'), /absolute path/);
  assert.match(reasonOf(r.skipped, 'cat/sym.png'), /link/);
  assert.match(reasonOf(r.skipped, 'cat/hard.png'), /link/);
  assert.match(reasonOf(r.skipped, 'cat/fifo.png'), /not a regular file/);
});
