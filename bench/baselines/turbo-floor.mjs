// The floor: read each JPEG and decode it with TurboJPEG at the smallest SIMD DCT scale (1/8, 1/4,
// 1/2, else full size) whose short side still covers the target, in JOBS worker threads —
// nothing else (no resize, no array, nothing written). No converter doing the same decode on the same cores can beat it.
//
// usage: node turbo-floor.mjs ROOT OUT HxW JOBS   (OUT is unused; kept for the common argument list)
// Prints one JSON line: {"images": N, "seconds": S} (seconds exclude Node start-up).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const EXTENSIONS = new Set(['.jpg', '.jpeg']);
// The scales libjpeg-turbo decodes with SIMD inverse DCTs (1/8, 2/8, 4/8, then full size): the
// other M/8 run plain C IDCTs and decode slower than full size, so the fastest decode that still
// covers the target is at one of these (the same rule as img2npy's fast path).
const SIMD_EIGHTHS = [1, 2, 4];

function listFiles(root) {
  const out = [];
  for (const cls of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of readdirSync(join(root, cls)).sort()) if (EXTENSIONS.has(f.slice(f.lastIndexOf('.')).toLowerCase())) out.push(join(root, cls, f));
  }
  return out;
}

/** Decodes files[i] for every i this thread claims from the shared counter: no thread idles while another has work. */
function decodeAll(files, target, next) {
  const koffi = createRequire(import.meta.url)('koffi');
  const lib = koffi.load('libturbojpeg.so.0');
  const init = lib.func('void *tjInitDecompress()');
  const header = lib.func('int tjDecompressHeader3(void *h, const uint8_t *buf, unsigned long size, _Out_ int *w, _Out_ int *hgt, _Out_ int *sub, _Out_ int *cs)');
  const decompress = lib.func('int tjDecompress2(void *h, const uint8_t *buf, unsigned long size, uint8_t *dst, int w, int pitch, int hgt, int pf, int flags)');
  const handle = init();
  const w = [0], h = [0], sub = [0], cs = [0];
  let out = new Uint8Array(0);
  let done = 0;
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1), done++) {
    const file = files[i];
    const buf = readFileSync(file);
    if (header(handle, buf, buf.length, w, h, sub, cs) !== 0) throw new Error(`header failed: ${file}`);
    let m = 8;
    // As img2npy's dctScale: the unrounded scaled side must cover the target.
    for (const k of SIMD_EIGHTHS) if ((Math.min(w[0], h[0]) * k) / 8 >= target) { m = k; break; }
    const sw = Math.ceil((w[0] * m) / 8);
    const sh = Math.ceil((h[0] * m) / 8);
    if (out.length < sw * sh * 3) out = new Uint8Array(sw * sh * 3);
    if (decompress(handle, buf, buf.length, out, sw, 0, sh, 0, 0) !== 0) throw new Error(`decode failed: ${file}`);
  }
  return done;
}

if (isMainThread) {
  const [root, , size, jobsArg] = process.argv.slice(2);
  const target = Math.min(...size.split('x').map(Number));
  const jobs = Number(jobsArg);
  const start = performance.now();
  const files = listFiles(root);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const counts = await Promise.all(Array.from({ length: jobs }, () => new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { files, target, next } });
    worker.once('message', resolve);
    worker.once('error', reject);
  })));
  console.log(JSON.stringify({ images: counts.reduce((a, b) => a + b, 0), seconds: (performance.now() - start) / 1000 }));
} else {
  parentPort.postMessage(decodeAll(workerData.files, workerData.target, workerData.next));
}
