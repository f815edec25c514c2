// What a fresh page costs here: writing 64 MiB of new memory (every 4 KiB page faults in) against
// writing the same memory again. On the benchmark VM the first pass is what keeps img2npy's
// buffers for reuse (malloc's dynamic mmap threshold, grow-only scratch) instead of returning them.
// usage: node bench/probes/first-touch.mjs
const bytes = 64 << 20;
const first = [];
const again = [];
for (let i = 0; i < 5; i++) {
  const b = new Uint8Array(bytes);
  let t = performance.now();
  b.fill(1);
  first.push(performance.now() - t);
  t = performance.now();
  b.fill(2);
  again.push(performance.now() - t);
}
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
const pages = bytes / 4096;
console.log(`64 MiB first write: ${median(first).toFixed(1)} ms (${((median(first) * 1000) / pages).toFixed(2)} µs per 4 KiB page); again: ${median(again).toFixed(1)} ms (median of 5)`);
