// What one decoder thread costs before its first image: wall time and the thread's own CPU to
// boot an empty worker_threads Worker, then one that loads the decoder module
// (out/node/decode-worker.js; run `npm run build:cli` first). Median of 7 each.
// usage: node bench/probes/worker-boot.mjs
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../out/node/decode-worker.js', import.meta.url));
// Reported from inside the thread: its CPU time so far (Linux schedstat, ns).
const report = 'require("node:worker_threads").parentPort.postMessage(Number(require("node:fs").readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6)';
const variants = { 'empty worker': report, 'worker + decoder module': `import(${JSON.stringify(entry)}).then(() => { ${report} })` };
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];

for (const [name, code] of Object.entries(variants)) {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const ms = await new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m) => void w.terminate().then(() => resolve(m)));
      w.once('error', reject);
    });
    wall.push(performance.now() - t);
    cpu.push(ms);
  }
  console.log(`${name}: ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms of the thread's CPU (median of 7)`);
}
