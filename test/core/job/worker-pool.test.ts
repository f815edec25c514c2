import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Img2npyError } from '../../../src/shared/errors.js';
import { planJob, resolveJobOptions } from '../../../src/core/job/plan.js';
import { DecoderPool, groupSizeFor, liveDecoderThreads } from '../../../src/core/job/worker-pool.js';
import { encode, gradient } from '../../helpers/fixtures.js';
import { crc32 } from '../../../src/core/arrays/npy-io.js';
import { uint8ChannelSums } from '../../../src/core/arrays/uint8-sums.js';
import { tempDir } from '../../helpers/tmp.js';

const crashing = fileURLToPath(new URL('./fixtures/crashing-decoder.ts', import.meta.url));
const size = { height: 8, width: 8 };

async function folder(t: Parameters<typeof tempDir>[0], names: string[]): Promise<string[]> {
  const dir = await tempDir(t);
  const png = await encode(gradient(12, 10), 'png');
  return Promise.all(names.map(async (n) => {
    const abs = join(dir, n);
    await writeFile(abs, png);
    return abs;
  }));
}

const plan = (dir: string) => planJob(dir, resolveJobOptions({ size }));

for (const kind of ['crash', 'exit'] as const) {
  test(`a decoder thread that dies (${kind}) fails its file with engine-crashed naming it; nothing hangs`, async (t) => {
    const files = await folder(t, ['a.png', 'b.png', `${kind}-c.png`, 'd.png', 'e.png']);
    const pool = new DecoderPool(1, { plan: plan(files[0]), entry: crashing });
    try {
      // The first two alone, so the failing file is the one the thread works on when it dies.
      for (const f of files.slice(0, 2)) assert.equal((await pool.decode(f, size)).kind, 'image', 'files before the failure decode normally');
      const results = await Promise.allSettled(files.slice(2).map((f) => pool.decode(f, size)));
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        const err = (r as PromiseRejectedResult).reason as unknown;
        assert.ok(err instanceof Img2npyError && err.code === 'engine-crashed', String(err));
        assert.equal(err.file, files[2], 'the error names the file the thread was decoding');
        assert.match(err.message, new RegExp(`crashed while decoding .*${kind}-c\\.png`));
      }
      await assert.rejects(pool.decode(files[0], size), (err: unknown) => err instanceof Img2npyError && err.code === 'engine-crashed');
    } finally {
      await pool.close();
    }
    assert.equal(liveDecoderThreads(), 0);
  });
}

test('a group answers file by file, in order: a broken file fails alone, its neighbours decode', async (t) => {
  const [a, b] = await folder(t, ['a.png', 'b.png']);
  const broken = join(a, '..', 'broken.png');
  await writeFile(broken, 'not an image at all');
  const pool = new DecoderPool(1, { plan: plan(a) });
  try {
    const results = await pool.decodeGroup([{ abs: a }, { abs: broken }, { abs: b }], size);
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    const failed = results[1] as { ok: false; error: Img2npyError };
    assert.equal(failed.error.code, 'unreadable-image');
    assert.equal(failed.error.file, broken);
    for (const r of [results[0], results[2]]) assert.ok(r.ok && r.row.kind === 'image' && r.row.data.length === 8 * 8 * 3);
  } finally {
    await pool.close();
  }
});

test('a thread dying in the middle of a group names the file it was decoding, not the group\'s first', async (t) => {
  const files = await folder(t, ['a.png', 'b.png', 'die-c.png', 'd.png']);
  const pool = new DecoderPool(1, { plan: plan(files[0]), entry: crashing });
  try {
    await assert.rejects(pool.decodeGroup(files.map((abs) => ({ abs })), size), (err: unknown) => {
      assert.ok(err instanceof Img2npyError && err.code === 'engine-crashed', String(err));
      assert.equal(err.file, files[2]);
      return true;
    });
  } finally {
    await pool.close();
  }
  assert.equal(liveDecoderThreads(), 0);
});

test('group sizes: one image until measured, then ~6 ms of work, at most 1 MiB of rows and 64 images', () => {
  assert.equal(groupSizeFor(32 * 32 * 3, null), 1, 'nothing measured yet');
  assert.equal(groupSizeFor(32 * 32 * 3, 0.1), 60);
  assert.equal(groupSizeFor(32 * 32 * 3, 0.001), 64, 'at most 64 images');
  assert.equal(groupSizeFor(224 * 224 * 3, 1.5), 4);
  assert.equal(groupSizeFor(224 * 224 * 3, 0.1), 6, 'at most 1 MiB of rows');
  assert.equal(groupSizeFor(224 * 224 * 3, 150), 1, 'a large photo goes alone');
  assert.equal(groupSizeFor(1024 * 1024, 0.01), 1);
  assert.equal(groupSizeFor(0, 0.1), 1, 'rows of unknown size go alone');
  assert.equal(groupSizeFor(224 * 224 * 3, 0.1, 200 * 1024), 1, 'a lower byte bound (many threads) shrinks groups');
});

test('with many threads, groups shrink: the rows all groups in flight or waiting may hold stay flat in the thread count', async () => {
  for (const threads of [2, 16]) {
    const pool = new DecoderPool(threads);
    try {
      // In flight or waiting: orderedGroups' concurrency (capacity) plus a window of twice that.
      const held = pool.maxGroupBytes * 3 * pool.capacity;
      assert.ok(held <= 48 * 1024 * 1024, `${threads} threads: groups may hold ${held} bytes`);
      assert.ok(pool.maxGroupBytes <= 1024 * 1024);
      assert.ok(groupSizeFor(224 * 224 * 3, 0.01, pool.maxGroupBytes) * 224 * 224 * 3 <= Math.max(pool.maxGroupBytes, 224 * 224 * 3));
    } finally {
      await pool.close();
    }
  }
});

test('a pool measures its threads\' time per image from the groups they answer', async (t) => {
  const files = await folder(t, Array.from({ length: 8 }, (_, i) => `${i}.png`));
  const pool = new DecoderPool(1, { plan: plan(files[0]) });
  try {
    assert.equal(pool.msPerImage, null);
    assert.equal(pool.groupSize(8 * 8 * 3), 1);
    await pool.decodeGroup(files.map((abs) => ({ abs })), size);
    const ms = pool.msPerImage;
    assert.ok(ms !== null && ms > 0 && Number.isFinite(ms), `measured ${ms}`);
    assert.equal(pool.groupSize(8 * 8 * 3), groupSizeFor(8 * 8 * 3, ms));
  } finally {
    await pool.close();
  }
});

test('decode errors come back as the decoder threw them (code and file), and the thread keeps going', async (t) => {
  const [good] = await folder(t, ['good.png']);
  const broken = join(good, '..', 'broken.png');
  await writeFile(broken, 'not an image at all');
  const pool = new DecoderPool(2, { plan: plan(good) });
  try {
    await assert.rejects(pool.decode(broken, size), (err: unknown) => err instanceof Img2npyError && err.code === 'unreadable-image' && err.file === broken);
    const row = await pool.decode(good, size);
    assert.equal(row.kind, 'image');
    assert.equal(row.data.length, 8 * 8 * 3);
  } finally {
    await pool.close();
  }
});

test('closing answers every request still out, so no caller waits forever', async (t) => {
  const files = await folder(t, Array.from({ length: 12 }, (_, i) => `${i}.png`));
  const pool = new DecoderPool(2, { plan: plan(files[0]) });
  const pending = files.map((f) => pool.decode(f, size).then(() => 'ok', (err: unknown) => (err instanceof Img2npyError ? err.code : 'other')));
  await pool.close();
  const outcomes = await Promise.all(pending);
  assert.ok(outcomes.every((o) => o === 'ok' || o === 'engine-crashed'), outcomes.join(','));
  await assert.rejects(pool.decode(files[0], size), (err: unknown) => err instanceof Img2npyError && err.code === 'engine-crashed');
  assert.equal(liveDecoderThreads(), 0);
});

test("rows that are x as written come with their CRC-32 and channel sums; rows the tensor stage still changes, and small rows, come without", async (t) => {
  const files = await folder(t, ['a.png', 'b.png', 'c.png']);
  // 80×80×3 bytes is past the 16 KiB from which threads digest rows; 8×8 rows are gathered on the main thread.
  const big = { height: 80, width: 80 };
  for (const [options, digested] of [[{ size: big }, true], [{ size }, false], [{ size: big, dtype: 'float32' }, false], [{ size: big, layout: 'nchw' }, false], [{ size: big, normalize: 'unit', dtype: 'float32' }, false]] as const) {
    const p = planJob(files[0], resolveJobOptions(options));
    assert.equal(p.rowDigests, options.size === big ? digested : true, JSON.stringify(options));
    const pool = new DecoderPool(1, { plan: p });
    try {
      for (const r of await pool.decodeGroup(files.map((abs) => ({ abs })), options.size)) {
        assert.ok(r.ok && r.row.kind === 'image');
        if (!digested) {
          assert.equal(r.row.digest, undefined, JSON.stringify(options));
          continue;
        }
        // Taken in the thread from the very bytes that arrived here.
        assert.deepEqual(r.row.digest, { crc: crc32(r.row.data), sums: uint8ChannelSums(r.row.data, 3) });
      }
    } finally {
      await pool.close();
    }
  }
});

test('small rows share one slab per message, which goes back to the threads only with its last row and is filled again', async (t) => {
  const files = await folder(t, ['a.png', 'b.png', 'c.png', 'd.png', 'e.png', 'f.png']);
  const pool = new DecoderPool(1, { plan: plan(files[0]) });
  try {
    const group = (names: string[]) => pool.decodeGroup(names.map((abs) => ({ abs })), size);
    const rowsOf = (answers: Awaited<ReturnType<typeof group>>) => answers.map((a) => (assert.ok(a.ok), a.row.data as Uint8Array));
    const rows = rowsOf(await group(files));
    const slab = rows[0].buffer;
    assert.ok(rows.every((r) => r.buffer === slab) && rows[0].byteLength < slab.byteLength, 'the rows are views into one buffer');
    const pixels = Uint8Array.from(rows[0]);
    pool.recycle(rows.slice(0, -1));
    await group(files.slice(0, 2));
    assert.ok(slab.byteLength > 0, 'not handed back while one of its rows is out');
    pool.recycle(rows.slice(-1));
    const again = rowsOf(await group(files.slice(0, 3)));
    assert.equal(slab.byteLength, 0, 'moved to the thread with the next request');
    assert.deepEqual([...again[0]], [...pixels], 'rows packed into a slab used again are the rows decoded');
    // The thread packed them into that slab, not a fresh (zeroed) one: past its three rows lie
    // the fourth row of the first message, as written then.
    assert.deepEqual([...new Uint8Array(again[0].buffer, 3 * pixels.byteLength, pixels.byteLength)], [...pixels], 'the slab handed back was filled again');
  } finally {
    await pool.close();
  }
});
