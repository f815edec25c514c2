/** `img2npy inspect <file>`: shapes, dtypes, value range, class counts, optional contact sheet. */
import { checkContactSheet, inspect, writeContactSheet } from '../core/index.js';
import { Img2npyError } from '../shared/errors.js';
import type { InspectResult } from '../shared/report.js';
import type { CommandContext } from './context.js';

function text(r: InspectResult): string {
  const lines = [r.path];
  for (const a of r.arrays) {
    const range = a.min === null ? '' : `  min ${fmt(a.min)}  max ${fmt(a.max!)}  mean ${fmt(a.mean!)}`;
    lines.push(`  ${a.name.padEnd(12)} ${`(${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''})`.padEnd(24)} ${a.dtype.padEnd(8)}${range}`);
  }
  if (r.channelStats) {
    const list = (v: number[]) => v.map(fmt).join(', ');
    lines.push(`  x per channel: mean ${list(r.channelStats.mean)}  std ${list(r.channelStats.std)}  (${r.channelStats.source === 'manifest' ? 'from the manifest' : 'computed'})`);
  }
  if (r.countsPerClass) lines.push(`  classes: ${Object.entries(r.countsPerClass).map(([c, n]) => `${c} (${n})`).join(', ')}`);
  return lines.join('\n');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(6);
}

export async function inspectCommand(ctx: CommandContext): Promise<number> {
  const { args, io, reporter } = ctx;
  const [path, ...extra] = args.positionals;
  if (!path) throw new Img2npyError('invalid-option', 'Expected a file: img2npy inspect <file.npz | file.npy | folder>', { option: 'path' });
  if (extra.length) throw new Img2npyError('invalid-option', `Unexpected argument "${extra[0]}"`);
  // The destination is checked before the (possibly long) statistics pass, and again when written.
  if (args.shell.grid) await checkContactSheet(path, args.shell.grid, args.shell.overwrite);
  const result = await inspect(path, { signal: io.signal, samples: 0 });
  if (args.shell.grid) {
    const x = result.arrays.find((a) => a.name === 'x');
    const range = x && x.min !== null && x.max !== null ? { min: x.min, max: x.max } : undefined;
    await writeContactSheet(path, args.shell.grid, { samples: args.shell.samples ?? 32, signal: io.signal, range, overwrite: args.shell.overwrite });
  }
  reporter.result(text(result) + (args.shell.grid ? `\nContact sheet: ${args.shell.grid}` : ''), result);
  return 0;
}
