/**
 * .tar.gz / .tgz inputs, read streaming without unpacking: archives made by the system's
 * `tar czf` and by Python's tarfile (pax and GNU long names) convert to the arrays the unpacked
 * folder converts to (NumPy compares every array), also when --shuffle/--split/--dedupe ask for
 * members out of archive order with a cache too small to hold them (evictions, second passes).
 * Hostile members are skipped by name, a truncated .tgz is refused naming it, img2npy outputs
 * zipped or tarred with the dataset are left out, and a cancel leaves nothing and exits 130.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { cli, cliProcess } from '../helpers/cli.js';
import { py } from '../helpers/python.js';
import { assertSameArrays } from '../helpers/same-arrays.js';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);

const makeDatasets = `
import os, sys, subprocess, tarfile, numpy as np
from PIL import Image
base = sys.argv[1]
rng = np.random.default_rng(5)
def img(rel, w, h, fmt):
    p = os.path.join(base, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(p, fmt)
long = 'a-very-long-name-' * 8
img('classes/cat/b.png', 9, 7, 'PNG'); img('classes/cat/' + long + '/x.jpg', 12, 10, 'JPEG'); img('classes/cat/\u00fcber caf\u00e9.png', 6, 6, 'PNG')
img('classes/dog/1.bmp', 5, 6, 'BMP'); img('classes/dog/' + long + '.png', 5, 6, 'PNG')
img('splits/train/cat/1.png', 8, 8, 'PNG'); img('splits/train/dog/2.jpg', 16, 9, 'JPEG'); img('splits/test/dog/3.png', 7, 5, 'PNG')
img('meta/images/a.png', 10, 4, 'PNG'); img('meta/images/b.jpg', 11, 13, 'JPEG'); img('meta/c.png', 3, 3, 'PNG')
open(os.path.join(base, 'meta/metadata.csv'), 'w').write('file_name,label,weight\\nimages/a.png,yes,0.5\\nimages/b.jpg,no,1.25\\nc.png,yes,2\\n')
for c in ['red', 'green', 'blue']:
    for i in range(14):
        img(f'many/{c}/{i:02d}.png', 6 + i % 5, 5 + i % 3, 'PNG')
    img(f'many/{c}/copy.png', 4, 4, 'PNG')
for name in ['classes', 'splits', 'meta', 'many']:
    subprocess.run(['tar', 'czf', os.path.join(base, name + '.tar.gz'), '-C', base, name], check=True)
    with tarfile.open(os.path.join(base, name + '-pax.tgz'), 'w:gz', format=tarfile.PAX_FORMAT) as t:
        t.add(os.path.join(base, name), arcname='./' + name)
    with tarfile.open(os.path.join(base, name + '-gnu.tgz'), 'w:gz', format=tarfile.GNU_FORMAT) as t:
        t.add(os.path.join(base, name), arcname=name)
print('null')
`;

/** Converts the folder and its three archives; every output of an archive equals the folder's. */
async function convertAll(dir: string, name: string, extra: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const inputs = [name, `${name}.tar.gz`, `${name}-pax.tgz`, `${name}-gnu.tgz`];
  for (const [i, input] of inputs.entries()) {
    await mkdir(join(dir, `out-${name}-${i}`));
    const r = await cli(['convert', join(dir, input), '--out', join(dir, `out-${name}-${i}`, 'o.npz'), '--jobs', '2', ...extra], env);
    assert.equal(r.code, 0, `${input}: ${r.stderr}`);
    if (i > 0) assert.match(r.stderr, /Reading the archive .* in place \(nothing is unpacked\); its only top folder .* is the input folder/);
  }
  const refs = (await readdir(join(dir, `out-${name}-0`))).filter((f) => f.endsWith('.npz'));
  assert.ok(refs.length > 0);
  for (const ref of refs) {
    const others = [1, 2, 3].map((i) => join(dir, `out-${name}-${i}`, ref));
    await assertSameArrays(join(dir, `out-${name}-0`, ref), others);
  }
  for (const i of [0, 1, 2, 3]) await run('rm', ['-r', join(dir, `out-${name}-${i}`)]);
}

test('tar czf, pax and GNU .tgz convert to the folder\'s arrays: class folders (long and non-ASCII names), split folders, metadata.csv, padding', async (t) => {
  const dir = await tempDir(t);
  await py(makeDatasets, [dir]);
  await convertAll(dir, 'classes', ['--size', '8x8']);
  await convertAll(dir, 'splits', ['--size', '6x6', '--resize', 'crop']);
  await convertAll(dir, 'meta', ['--size', '5x7', '--color', 'grayscale']);
  // Padding to the largest probes every member's header from the archive first (a pass of its own).
  await convertAll(dir, 'classes', ['--resize', 'none']);
  assert.ok((await readdir(dir)).every((f) => !f.startsWith('.img2npy-')), 'nothing unpacked or left behind');
});

test('--shuffle --split --dedupe over a .tar.gz with a 1 KB member cache (out-of-order requests, evictions, second passes): the folder\'s arrays', async (t) => {
  const dir = await tempDir(t);
  await py(makeDatasets, [dir]);
  await convertAll(dir, 'many', ['--size', '4x4', '--shuffle', '--seed', '9', '--split', '0.6,0.4', '--dedupe'], { IMG2NPY_TAR_GZ_CACHE_BYTES: '1000' });
  await convertAll(dir, 'many', ['--resize', 'none', '--shuffle', '--seed', '4', '--split', '0.5,0.3,0.2'], { IMG2NPY_TAR_GZ_CACHE_BYTES: '0' });
});

test('hostile .tar.gz: ../ and absolute names and a symlink are skipped by name; a truncated .tgz is refused naming it', async (t) => {
  const dir = await tempDir(t);
  await py(
    `
import io, sys, tarfile, numpy as np
from PIL import Image
def png(seed):
    b = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (4, 4, 3), dtype=np.uint8)).save(b, 'PNG')
    return b.getvalue()
with tarfile.open(sys.argv[1], 'w:gz') as t:
    def add(name, data):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    add('ds/cat/ok.png', png(1)); add('ds/dog/ok.png', png(2)); add('../evil.png', png(3)); add('/abs.png', png(4))
    link = tarfile.TarInfo('ds/cat/link.png'); link.type = tarfile.SYMTYPE; link.linkname = '/etc/passwd'; t.addfile(link)
print('null')
`,
    [join(dir, 'hostile.tgz')],
  );
  const r = await cli(['convert', join(dir, 'hostile.tgz'), '--out', join(dir, 'o.npz'), '--size', '4x4', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { data: { summary: { ignored: { file: string; reason: string }[] }; skipped: unknown[] } };
  const ignored = JSON.stringify(report);
  assert.match(ignored, /\.\.\/evil\.png[^}]*leads out/);
  assert.match(ignored, /\/abs\.png[^}]*absolute/);
  assert.match(ignored, /link\.png[^}]*it is a link/);
  const got = await py<{ n: number; names: string[] }>(`import sys, json, numpy as np\nz = np.load(sys.argv[1])\nprint(json.dumps({'n': int(len(z['paths'])), 'names': [str(c) for c in z['class_names']]}))`, [join(dir, 'o.npz')]);
  assert.deepEqual(got, { n: 2, names: ['cat', 'dog'] });

  const whole = await readFile(join(dir, 'hostile.tgz'));
  await writeFile(join(dir, 'cut.tgz'), whole.subarray(0, Math.floor(whole.length * 0.7)));
  const cut = await cli(['convert', join(dir, 'cut.tgz'), '--out', join(dir, 'cut.npz'), '--size', '4x4']);
  assert.equal(cut.code, 2, cut.stderr);
  assert.match(cut.stderr, /cut\.tgz is truncated: its gzip stream ends early/);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('cut.npz') || f.startsWith('cut.manifest')), []);
});

test('a .tar.gz member larger than img2npy reads from an archive is skipped by name; its neighbours convert; --strict refuses it', async (t) => {
  const dir = await tempDir(t);
  // 513 MiB of zeros declared as a PNG, between small real ones (gzip level 1: ~2 MB on disk).
  await py(
    `
import io, sys, tarfile, numpy as np
from PIL import Image
class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k
def png(v):
    b = io.BytesIO(); Image.fromarray(np.full((4, 5, 3), v, np.uint8)).save(b, 'PNG'); return b.getvalue()
with tarfile.open(sys.argv[1], 'w:gz', compresslevel=1) as t:
    def add(name, data):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    add('ds/cat/a.png', png(10)); add('ds/cat/b.png', png(20))
    big = tarfile.TarInfo('ds/cat/huge.png'); big.size = 513 * 1024 * 1024; t.addfile(big, Zeros(big.size))
    add('ds/cat/c.png', png(30)); add('ds/dog/d.png', png(40))
print('null')
`,
    [join(dir, 'big.tgz')],
  );
  const r = await cli(['convert', join(dir, 'big.tgz'), '--out', join(dir, 'o.npz'), '--size', '4x5', '--jobs', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; skipped: { file: string; code: string; reason: string }[] };
  assert.equal(report.type, 'report');
  assert.deepEqual(report.skipped.map((s) => [s.file, s.code]), [['cat/huge.png', 'unreadable-image']]);
  assert.match(report.skipped[0].reason, /declares 537919488 bytes/);
  const got = await py<{ paths: string[]; y: number[]; first: number[] }>(
    `import sys, json, numpy as np\nz = np.load(sys.argv[1])\nprint(json.dumps({'paths': [str(p) for p in z['paths']], 'y': z['y'].tolist(), 'first': [int(z['x'][i, 0, 0, 0]) for i in range(len(z['x']))]}))`,
    [join(dir, 'o.npz')],
  );
  assert.deepEqual(got, { paths: ['cat/a.png', 'cat/b.png', 'cat/c.png', 'dog/d.png'], y: [0, 0, 0, 1], first: [10, 20, 30, 40] });

  const strict = await cli(['convert', join(dir, 'big.tgz'), '--out', join(dir, 's.npz'), '--size', '4x5', '--strict']);
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /big\.tgz\/ds\/cat\/huge\.png/);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('s.npz') || f.startsWith('s.manifest')), []);
});

test('img2npy outputs zipped or tarred with the dataset (by their manifest, or an x.npy folder) are left out, not taken for classes', async (t) => {
  const dir = await tempDir(t);
  const ds = join(dir, 'ds');
  for (const [cls, colour] of [['cat', 40], ['dog', 200]] as const) {
    await mkdir(join(ds, cls), { recursive: true });
    for (let i = 0; i < 3; i++) await sharp({ create: { width: 5, height: 4, channels: 3, background: { r: colour, g: i * 30, b: 9 } } }).png().toFile(join(ds, cls, `${i}.png`));
  }
  const elsewhere = join(dir, 'elsewhere');
  assert.equal((await cli(['convert', ds, '--out', join(elsewhere, 'old.npz'), '--size', '4x4'])).code, 0);
  assert.equal((await cli(['convert', ds, '--out', join(elsewhere, 'prev'), '--format', 'npy', '--size', '4x4'])).code, 0);
  await copyFile(join(elsewhere, 'old.npz'), join(ds, 'old.npz'));
  await copyFile(join(elsewhere, 'old.manifest.json'), join(ds, 'old.manifest.json'));
  await cp(join(elsewhere, 'prev'), join(ds, 'prev'), { recursive: true });
  await run('tar', ['czf', join(dir, 'ds.tgz'), '-C', dir, 'ds']);
  await py(`import sys, shutil\nshutil.make_archive(sys.argv[1], 'zip', sys.argv[2], 'ds')\nprint('null')`, [join(dir, 'ds'), dir]);
  for (const input of ['ds.tgz', 'ds.zip']) {
    const r = await cli(['convert', join(dir, input), '--out', join(dir, `${input}.npz`), '--size', '4x4']);
    assert.equal(r.code, 0, `${input}: ${r.stderr}`);
    assert.match(r.stderr, /Left out ds\/old\.npz: an img2npy output \(listed by ds\/old\.manifest\.json\)/);
    assert.match(r.stderr, /Left out ds\/prev\/: an img2npy \.npy output folder/);
    const got = await py<{ n: number; names: string[] }>(`import sys, json, numpy as np\nz = np.load(sys.argv[1])\nprint(json.dumps({'n': int(len(z['paths'])), 'names': [str(c) for c in z['class_names']]}))`, [join(dir, `${input}.npz`)]);
    assert.deepEqual(got, { n: 6, names: ['cat', 'dog'] }, input);
  }
});

test('SIGINT during a .tar.gz conversion stops it: exit 130, no output, no hang', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'slow');
  const w = 1200;
  const h = 900;
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  await mkdir(join(root, 'a'), { recursive: true });
  await mkdir(join(root, 'b'), { recursive: true });
  await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 }).toFile(join(root, 'a', '0.jpg'));
  for (let i = 1; i < 120; i++) await copyFile(join(root, 'a', '0.jpg'), join(root, i % 2 ? 'b' : 'a', `${i}.jpg`));
  await run('tar', ['czf', join(dir, 'slow.tgz'), '-C', dir, 'slow']);
  const outDir = join(dir, 'out');
  let signalled = false;
  const r = await cliProcess(['convert', join(dir, 'slow.tgz'), '--out', join(outDir, 'o.npz'), '--size', '64x64', '--jobs', '1', '--json'], {}, (line, kill) => {
    const e = JSON.parse(line);
    if (!signalled && e.type === 'progress' && e.phase === 'decode' && e.done >= 3) {
      signalled = true;
      kill('SIGINT');
    }
  });
  assert.ok(signalled, `never saw decode progress: ${r.stdout.slice(0, 500)} ${r.stderr}`);
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(await readdir(outDir).catch(() => []), []);
  assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()!).error.code, 'cancelled');
});
