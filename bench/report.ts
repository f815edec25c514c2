/** Turns one bench run into docs/benchmarks.md: tables, targets met or not, and how to rerun. */
import type { Bar } from './chart.js';
import type { Dataset } from './datasets.js';
import { ratio, type Measured } from './groups.js';
import type { Machine } from './machine.js';
import type { Spread } from './measure.js';

export interface BenchResults {
  quick: boolean;
  machine: Machine;
  minutes: number;
  photos: Dataset & { minMp: number; maxMp: number; meanMp: number; progressive: number };
  typical: Dataset;
  png32: Dataset;
  png20: Dataset;
  typicalRuns: Measured[];
  png32Runs: Measured[];
  png32to64Runs: Measured[];
  png20Runs: Measured[];
  small: Dataset;
  small50k: Dataset | null;
  photoRuns: Measured[];
  smallRuns: Measured[];
  mem50kRuns: Measured[] | null;
  latency: Spread | null;
  latencyNote: string;
  help: Spread | null;
  /** Exact command lines, keyed by tool or measurement id. */
  commands: Record<string, string>;
}

export interface Target {
  name: string;
  measured: string;
  goal: string;
  met: boolean | null;
  bar: Bar | null;
}

const find = (runs: Measured[] | null, id: string): Measured | undefined => runs?.find((m) => m.id === id);
const x = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
const f1 = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const range = (s: Spread | null, fmt: (v: number) => string = f1): string =>
  s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}, n=${s.n})` : '—';

function ratioTarget(name: string, label: string, ours: Measured | undefined, other: Measured | undefined, goal: number): Target {
  const r = ratio(ours, other);
  return { name, measured: x(r), goal: `≥ ${goal}×`, met: r === null ? null : r >= goal, bar: { label, value: r, target: goal } };
}

function fastestPython(runs: Measured[]): Measured | undefined {
  return runs.filter((m) => (m.id === 'pil' || m.id === 'torchvision') && m.rate).sort((a, b) => b.rate!.median - a.rate!.median)[0];
}

function limitTarget(name: string, value: number | null, limit: number, unit: string): Target {
  return {
    name,
    measured: value === null ? 'n/a' : `${value.toFixed(value < 10 ? 2 : 0)} ${unit}`,
    goal: `≤ ${limit} ${unit}`,
    met: value === null ? null : value <= limit,
    bar: null,
  };
}

/**
 * --jobs 1 → 2 on one workload: the 2-thread row is the default one on a 2-core machine. The
 * floor's own 1 → cores ratio, measured in the same run, says how far the machine scales.
 */
function scalingTarget(runs: Measured[], cores: number): Target {
  const two = find(runs, cores === 2 ? 'ours' : 'ours-j2');
  const floor = cores === 2 ? ratio(find(runs, 'floor'), find(runs, 'floor-j1')) : null;
  const name = `Typical JPEGs, --jobs 1 → 2${floor === null ? '' : ` (the floor's own 1 → 2: ${x(floor)})`}`;
  return ratioTarget(name, '--jobs 2 vs --jobs 1', two, find(runs, 'ours-j1'), 1.8);
}

export function targets(r: BenchResults): Target[] {
  const typ = r.typicalRuns;
  const ours = find(r.photoRuns, 'ours');
  const everyRun = [r.typicalRuns, r.png32Runs, r.png32to64Runs, r.png20Runs, r.photoRuns, r.smallRuns, r.mem50kRuns ?? []].flat();
  const peak = Math.max(...everyRun.filter((m) => m.id.startsWith('ours') && m.rssMb).map((m) => m.rssMb!.max));
  const rss50k = find(r.mem50kRuns, 'ours-50k')?.rssMb?.max ?? null;
  return [
    ratioTarget(`Typical JPEGs vs PIL Pool(${r.machine.cores})`, 'typical vs PIL Pool', find(typ, 'ours'), find(typ, 'pil-pool'), 3),
    ratioTarget(`Typical JPEGs vs torchvision DataLoader(${r.machine.cores})`, 'typical vs torchvision', find(typ, 'ours'), find(typ, 'torchvision'), 4),
    ratioTarget('Typical JPEGs vs the decode floor', 'typical vs floor', find(typ, 'ours'), find(typ, 'floor'), 0.7),
    scalingTarget(typ, r.machine.cores),
    ratioTarget(`Photos vs PIL-draft Pool(${r.machine.cores})`, 'photos vs PIL draft Pool', ours, find(r.photoRuns, 'pil-pool-draft'), 1.1),
    ratioTarget('Photos vs djpeg -scale', 'photos vs djpeg -scale', ours, find(r.photoRuns, 'djpeg-scaled'), 1.1),
    ratioTarget('Photos vs the decode floor', 'photos vs floor', ours, find(r.photoRuns, 'floor'), 0.85),
    ratioTarget('Photos, Keras mode vs djpeg full decode', 'Keras mode vs djpeg full', find(r.photoRuns, 'ours-keras'), find(r.photoRuns, 'djpeg-full'), 1.0),
    ratioTarget('32² PNGs → 32² vs PIL loop', '32² → 32² vs PIL loop', find(r.png32Runs, 'ours'), find(r.png32Runs, 'pil'), 1.5),
    ratioTarget('20–28² PNGs → 32² vs PIL loop', '20–28² → 32² vs PIL loop', find(r.png20Runs, 'ours'), find(r.png20Runs, 'pil'), 1.5),
    ratioTarget('32² PNGs → 64² vs PIL loop', '32² → 64² vs PIL loop', find(r.png32to64Runs, 'ours'), find(r.png32to64Runs, 'pil'), 1.5),
    limitTarget('Peak RSS of img2npy, every workload', Number.isFinite(peak) ? peak : null, 300, 'MB'),
    r.small50k
      ? limitTarget(`Peak RSS at ${r.small50k.count.toLocaleString('en-US')} images`, rss50k, 300, 'MB')
      : { name: 'Peak RSS at 50,000 images', measured: 'skipped (--quick)', goal: '≤ 300 MB', met: null, bar: null },
    limitTarget('First progress event (median)', r.latency?.median ?? null, 0.3, 's'),
    limitTarget('`img2npy --help` wall time (median)', r.help?.median ?? null, 0.2, 's'),
  ];
}

function table(runs: Measured[], oursId: string): string[] {
  const ours = find(runs, oursId);
  const lines = [
    '| tool | images/s, median (min–max, runs) | images/s excl. start-up | CPU ms / image | peak RSS MB, median (max) | other load | ours ÷ tool |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const m of runs) {
    if (m.missing) {
      lines.push(`| ${m.label} | ${m.missing.replace(/\|/g, '/')} | | | | | |`);
      continue;
    }
    const rss = m.rssMb ? `${m.rssMb.median.toFixed(0)} (${m.rssMb.max.toFixed(0)})` : '—';
    const inner = m.innerRate ? f1(m.innerRate.median) : '—';
    const cpu = m.cpuMsPerImage ? f1(m.cpuMsPerImage.median) : '—';
    const load = m.foreignLoad ? `${(m.foreignLoad.median * 100).toFixed(0)}%` : '—';
    lines.push(`| ${m.label} | ${range(m.rate)} | ${inner} | ${cpu} | ${rss} | ${load} | ${m.id === oursId ? '—' : x(ratio(ours, m))} |`);
  }
  return lines;
}

/** Says how busy the machine was with other work, since that slows every tool's wall time. */
function contention(r: BenchResults): string {
  const loads = [...r.typicalRuns, ...r.png32Runs, ...r.png32to64Runs, ...r.png20Runs, ...r.photoRuns, ...r.smallRuns, ...(r.mem50kRuns ?? [])].flatMap((m) => (m.foreignLoad ? [m.foreignLoad.median] : []));
  if (loads.length === 0) return '';
  const worst = Math.max(...loads);
  const note =
    worst > 0.1
      ? 'Other processes kept the cores busy during some runs, which slows wall-clock rates and widens their spread; interleaved rounds spread that over every tool, and CPU ms / image is unaffected.'
      : 'The machine was otherwise quiet.';
  return `**Other load** on the cores during runs: up to ${(worst * 100).toFixed(0)}% (median per tool, "other load" column). ${note}`;
}

const mark = (met: boolean | null): string => (met === null ? '—' : met ? 'met' : '**not met**');

/**
 * The page. `limits`: what limits the targets not met (bench/limits.md, written by hand from
 * measurements it names, with how to repeat them), placed after the start-up figures.
 */
export function renderMarkdown(r: BenchResults, chartFile: string, limits: string | null = null): string {
  const m = r.machine;
  const t = targets(r);
  const out: string[] = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${m.date}${r.quick ? ' (quick subset: fewer photos, no 50,000-image run)' : ''}; the whole run took ${r.minutes.toFixed(1)} minutes.`,
    'Every figure below comes from this one run on one machine: ratios compare medians taken in the same run, with tools run in interleaved rounds.',
    'Rerun with `npm run bench` (installs its Debian packages through bench/setup.sh, builds the datasets, rewrites this page), or `npm run bench -- --quick` for a ~3-minute subset written to bench/results/.',
    '',
    `**Machine:** ${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB RAM; ${m.os}.  `,
    `**Versions:** ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    contention(r),
    '',
    '## Targets',
    '',
    '| target | measured | goal | |',
    '| --- | --- | --- | --- |',
    ...t.map((g) => `| ${g.name} | ${g.measured} | ${g.goal} | ${mark(g.met)} |`),
    '',
    `![ours ÷ baseline, with targets](${chartFile})`,
    '',
    ...(limits && t.some((g) => g.met === false) ? ['What holds back the targets not met, measured: [What limits the targets not met](#what-limits-the-targets-not-met).', ''] : []),
    '## Datasets',
    '',
    `- **Photos**: ${r.photos.count} JPEG files (${r.photos.progressive} of them progressive) in ${new Set(r.photos.files.map((f) => f.path.split('/').at(-2))).size} class folders, ${r.photos.distinct} distinct real photographs ` +
      `(${r.photos.minMp.toFixed(1)}–${r.photos.maxMp.toFixed(1)} MP, mean ${r.photos.meanMp.toFixed(1)} MP) from Debian's lomiri-wallpapers-16.04, lomiri-wallpapers-20.04, mate-backgrounds and plasma-workspace-wallpapers. ` +
      (r.photos.count > r.photos.distinct
        ? 'Debian ships fewer real photos than a few hundred, so each is repeated under distinct file names; every tool still reads and decodes every file. '
        : '') +
      'Renders and illustrations in those packages are left out (bench/photo-sources.ts).',
    `- **Typical dataset JPEGs**: ${r.typical.count.toLocaleString('en-US')} JPEGs 333–640 px wide (aspect 3:4 to 3:2, quality 75–95, 4:2:0), each a whole region of one of the photos below scaled down, as in Oxford pets, Caltech or ImageNet-val (bench/everyday-datasets.ts, seeded).`,
    `- **Tiny PNGs**: ${r.png32.count.toLocaleString('en-US')} colour 32×32 PNGs (CIFAR-like) and ${r.png20.count.toLocaleString('en-US')} of 20–28 px squares, cut from the same photos.`,
    `- **Small PNGs**: ${r.small.count.toLocaleString('en-US')} distinct 28×28 grayscale PNGs cut from Debian's dataset-fashion-mnist, in its 10 class folders` +
      (r.small50k ? `; the memory run uses ${r.small50k.count.toLocaleString('en-US')} distinct ones the same way.` : '.'),
    '',
    'Built by bench/datasets.ts into bench/data/ (git-ignored); the packages are installed by bench/setup.sh.',
    '',
    `## Typical dataset JPEGs → 224×224 (${r.typical.count.toLocaleString('en-US')} images, ${m.cores} cores)`,
    '',
    ...table(r.typicalRuns, 'ours'),
    '',
    `## 32×32 PNGs → 32×32 (${r.png32.count.toLocaleString('en-US')} images)`,
    '',
    ...table(r.png32Runs, 'ours'),
    '',
    `## 32×32 PNGs → 64×64 (${r.png32.count.toLocaleString('en-US')} images)`,
    '',
    ...table(r.png32to64Runs, 'ours'),
    '',
    `## 20–28 px PNGs → 32×32 (${r.png20.count.toLocaleString('en-US')} images)`,
    '',
    ...table(r.png20Runs, 'ours'),
    '',
    `## Photos → 224×224 (${r.photos.count} images, ${m.cores} jobs)`,
    '',
    ...table(r.photoRuns, 'ours'),
    '',
    'The Keras-mode row is divided by the full-decode limit in the targets (Keras decodes at full size); its ratio column above is against the default-mode row.',
    '',
    `## Small PNGs → 28×28 (${r.small.count.toLocaleString('en-US')} images)`,
    '',
    ...table(r.smallRuns, 'ours-small'),
    '',
  ];
  if (r.mem50kRuns) out.push(`## Memory at ${r.small50k!.count.toLocaleString('en-US')} images`, '', ...table(r.mem50kRuns, 'ours-50k'), '');
  out.push(
    '## Start-up',
    '',
    `- First progress event: ${range(r.latency, (v) => `${v.toFixed(3)} s`)} — ${r.latencyNote}`,
    `- \`img2npy --help\`: ${range(r.help, (v) => `${v.toFixed(3)} s`)}`,
    '',
    ...(limits ? ['## What limits the targets not met', '', limits.trim(), ''] : []),
    '## Method',
    '',
    '- images/s = images ÷ wall time of the whole process, start-up included (Python and torch imports, Node start), as a user waits for it. The "excl. start-up" column uses the tool\'s own clock where it reports one.',
    '- CPU ms / image is user + system time of the tool and all its child processes, divided by the images: it shows the work done, independent of how many cores were free.',
    '- Peak RSS comes from `/usr/bin/time -v`: the peak of the largest single process. For torchvision (worker processes) and djpeg (one process per file) that is one process, not their sum. img2npy does its work in one process (bin/img2npy.js may start it as a child to set malloc options; the peak is then the child\'s).',
    '- Runs shorter than 5 s are repeated 5 times, longer ones 3 times (over 60 s, twice); the first round also warms the page cache, which every tool reads after a `cat` of all files.',
    '- The floor (bench/baselines/turbo-floor.mjs) reads each JPEG and decodes it with TurboJPEG (libturbojpeg through koffi) at the smallest of the SIMD DCT scales 1/8, 1/4, 1/2 whose short side covers 224 px, else at full size (the other M/8 scales run C IDCTs and decode slower than full size; img2npy picks its scale by the same rule), in one worker thread per core, and does nothing else. The 1-thread floor row shows how far the machine itself scales.',
    '- `--jobs 1` / `--jobs 2` rows show how our threads scale; the default row uses one thread per core.',
    '- The djpeg limits decode only: no resize, no array, nothing written. DCT scaling picks 1/N with N in {2, 4, 8}, the largest keeping the short side ≥ 224 px, as libvips\' shrink-on-load does.',
    '',
    '## Command lines',
    '',
    '```sh',
    ...Object.entries(r.commands).map(([id, c]) => `# ${id}\n${c}`),
    '```',
    '',
  );
  return out.join('\n');
}
