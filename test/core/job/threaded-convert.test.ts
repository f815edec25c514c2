/**
 * The worker-thread engine against the single-threaded path it replaced: the same files decoded
 * on this thread by decodeForJob and put through the tensor stage one by one must give the very
 * bytes that convert writes with 1 and with 2 decoder threads, row for row, in input order.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConvertOptions } from '../../../src/shared/options.js';
import { Img2npyError, toErrorInfo } from '../../../src/shared/errors.js';
import { openArrayFile } from '../../../src/core/arrays/reader.js';
import { convert } from '../../../src/core/job/convert.js';
import { decodeForJob } from '../../../src/core/job/decode-files.js';
import { planJob, resolveJobOptions } from '../../../src/core/job/plan.js';
import { liveDecoderThreads } from '../../../src/core/job/worker-pool.js';
import { loadBackend } from '../../../src/core/tensor/backend.js';
import { createTensorStage } from '../../../src/core/tensor/stage.js';
import { encode, encodedFormats, gradient, solid } from '../../helpers/fixtures.js';
import { tempDir } from '../../helpers/tmp.js';

type Options = Partial<ConvertOptions>;

/** Every format at assorted sizes in two classes, a grey and an rgba image, and one broken file. */
async function mixedFolder(root: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (rel: string, bytes: Buffer | string) => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), bytes);
    written.push(rel);
  };
  let i = 0;
  for (const format of encodedFormats) {
    for (const [w, h] of [[23, 17], [9, 31]]) {
      await put(`${i % 2 ? 'cats' : 'dogs'}/${String(i).padStart(2, '0')}-${w}x${h}.${format}`, await encode(gradient(w, h), format));
      i++;
    }
  }
  await put('cats/grey.png', await encode(solid(14, 11, [77]), 'png'));
  await put('dogs/rgba.png', await encode(solid(10, 13, [200, 30, 60, 128]), 'png'));
  await put('dogs/small.png', await encode(gradient(16, 12), 'png'));
  await put('cats/broken.jpg', 'not a jpeg');
  return written;
}

async function readOutput(path: string): Promise<{ x: Uint8Array; paths: string[] }> {
  const f = await openArrayFile(path);
  try {
    const n = f.arrays.find((a) => a.name === 'x')!.shape[0];
    const x = await f.readRows('x', 0, n);
    const paths = (await f.readRows('paths', 0, n)) as string[];
    const view = x as Exclude<typeof x, string[]>;
    return { x: new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)), paths };
  } finally {
    await f.close();
  }
}

/** The previous engine: decode on this thread, one image at a time through the tensor stage. */
async function singleThreaded(root: string, options: Options, paths: string[], size: { height: number; width: number }): Promise<Uint8Array> {
  const resolved = resolveJobOptions(options);
  const plan = planJob(root, resolved);
  const stage = createTensorStage(await loadBackend(resolved.backend), {
    ...size,
    channels: plan.channels,
    dtype: resolved.dtype,
    normalize: resolved.normalize,
    mean: resolved.mean,
    std: resolved.std,
    layout: resolved.layout,
    resize: plan.tensorResize,
  });
  const rows: Uint8Array[] = [];
  for (const rel of paths) rows.push(await stage.processBatch([await decodeForJob({ abs: join(root, rel), rel, label: null }, plan, size)]));
  return Buffer.concat(rows);
}

const modes: [string, Options][] = [
  ['default mode, crop, uint8', { size: { height: 12, width: 16 }, resize: 'crop' }],
  ['default mode, pad, imagenet float32 nchw', { size: { height: 10, width: 10 }, resize: 'pad', padValue: 9, dtype: 'float32', normalize: 'imagenet', layout: 'nchw' }],
  ['Keras mode (full decode, resize in the threads)', { like: 'keras', size: { height: 12, width: 16 }, seed: 3 }],
  ['resize none (padded to the largest)', { resize: 'none' }],
];

for (const [name, options] of modes) {
  test(`${name}: jobs 1 and 2 write the single-threaded path's bytes, in input order`, async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'in');
    const written = await mixedFolder(root);
    const outputs: { x: Uint8Array; paths: string[] }[] = [];
    for (const jobs of [1, 2]) {
      const out = join(dir, `jobs${jobs}.npz`);
      const report = await convert({ jobId: `t${jobs}`, input: root, output: out, options: { ...options, jobs, batchSize: 3 }, overwrite: false });
      assert.ok(report.skipped.some((s) => s.file === 'cats/broken.jpg' && s.code === 'unreadable-image'), 'the broken file is skipped, the job goes on');
      outputs.push(await readOutput(out));
      if (jobs === 1) {
        const [, height, width] = options.layout === 'nchw' ? [0, report.shape[2], report.shape[3]] : report.shape;
        const reference = await singleThreaded(root, options, outputs[0].paths, { height, width });
        assert.ok(Buffer.from(reference).equals(Buffer.from(outputs[0].x)), 'jobs 1 equals the single-threaded path');
      }
    }
    assert.deepEqual(outputs[1].paths, outputs[0].paths, 'same order with 2 threads');
    assert.ok(Buffer.from(outputs[1].x).equals(Buffer.from(outputs[0].x)), 'jobs 2 equals jobs 1 byte for byte');
    const kept = written.filter((p) => p !== 'cats/broken.jpg' && (options.like !== 'keras' || /\.(png|jpg|gif|bmp)$/.test(p)));
    if (options.like === 'keras') assert.deepEqual([...outputs[0].paths].sort(), [...kept].sort());
    else assert.deepEqual(outputs[0].paths, [...kept].sort(), 'input order: sorted relative paths');
    assert.equal(liveDecoderThreads(), 0, 'no decoder thread outlives its job');
  });
}

test('cancelled mid-run: the job rejects as cancelled, its threads are gone and nothing is left', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'in');
  const png = await encode(gradient(40, 30), 'png');
  await mkdir(join(root, 'a'), { recursive: true });
  await Promise.all(Array.from({ length: 300 }, (_, i) => writeFile(join(root, 'a', `${String(i).padStart(3, '0')}.png`), png)));
  const out = join(dir, 'out.npz');
  const controller = new AbortController();
  let doneAtAbort = -1;
  const job = convert(
    { jobId: 'cancel', input: root, output: out, options: { size: { height: 20, width: 20 }, jobs: 2 }, overwrite: false },
    {
      signal: controller.signal,
      onProgress: (e) => {
        // The first throttled event after images came back: threads are busy with later files.
        if (e.phase === 'decode' && e.done > 0 && doneAtAbort < 0) {
          doneAtAbort = e.done;
          controller.abort();
        }
      },
    },
  );
  await assert.rejects(job, (err: unknown) => toErrorInfo(err).code === 'cancelled' || (err instanceof Img2npyError && err.code === 'cancelled'));
  assert.ok(doneAtAbort > 0);
  assert.equal(liveDecoderThreads(), 0, 'every decoder thread ended');
  assert.equal(existsSync(out), false);
  assert.deepEqual(await readdir(dir), ['in'], 'no temporary folder or partial output left');
});

// Row buffers go back to the threads once written and are filled again (geometry/row-buffers.ts),
// and JPEGs decode into a per-thread scratch: a buffer handed out while its row was still in use
// would put one image's pixels in another's row. Many distinct images over many small batches
// make every buffer travel several times.
for (const [name, options] of [
  ['uint8 rows', { size: { height: 9, width: 11 } }],
  ['float32 normalised rows', { size: { height: 9, width: 11 }, dtype: 'float32', normalize: 'unit' }],
  ['Keras-resized rows', { like: 'keras', size: { height: 9, width: 11 }, shuffle: false }],
] as [string, Options][]) {
  test(`${name}: reused row buffers never mix images, over many batches`, async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'in');
    await mkdir(join(root, 'a'), { recursive: true });
    for (let i = 0; i < 90; i++) {
      const px = gradient(14 + (i % 7) * 5, 12 + (i % 5) * 4);
      for (let k = 0; k < px.data.length; k += 3) px.data[k + 2] = (i * 37 + k) % 256;
      await writeFile(join(root, 'a', `${String(i).padStart(3, '0')}.${i % 3 ? 'jpg' : 'png'}`), await encode(px, i % 3 ? 'jpg' : 'png'));
    }
    const out = join(dir, 'o.npz');
    const report = await convert({ jobId: 'reuse', input: root, output: out, options: { ...options, jobs: 2, batchSize: 4 }, overwrite: false });
    const got = await readOutput(out);
    assert.equal(got.paths.length, 90);
    const [, height, width] = report.shape;
    const reference = await singleThreaded(root, options, got.paths, { height, width });
    assert.ok(Buffer.from(reference).equals(Buffer.from(got.x)), 'every row is its own image');
  });
}
