/** What the figures were measured on: they mean little without the machine and the versions. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import { python } from './tools.js';

export interface Machine {
  date: string;
  cpuModel: string;
  cores: number;
  ramGiB: number;
  os: string;
  versions: Record<string, string>;
}

/** Everything a command said, stdout and stderr: djpeg prints its version on stderr. */
function quiet(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

export function describeMachine(): Machine {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const pretty = /PRETTY_NAME="([^"]+)"/.exec(osRelease)?.[1] ?? os.type();
  const py = quiet(python, [
    '-c',
    'import json,sys,PIL,numpy,torch,torchvision;print(json.dumps({"python":sys.version.split()[0],"Pillow":PIL.__version__,"numpy":numpy.__version__,"torch":torch.__version__,"torchvision":torchvision.__version__}))',
  ]);
  let pyVersions: Record<string, string> = {};
  try {
    // torch may warn on stderr first; the versions are the JSON line.
    pyVersions = JSON.parse(py.split('\n').find((l) => l.startsWith('{')) ?? '') as Record<string, string>;
  } catch {
    pyVersions = { python: 'unavailable' };
  }
  const djpeg = /libjpeg-turbo version ([^\s]+)/.exec(quiet('djpeg', ['-version']))?.[1] ?? 'unknown';
  return {
    date: new Date().toISOString().slice(0, 10),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${pretty}, Linux ${os.release()}`,
    versions: { node: process.versions.node, sharp: sharp.versions.sharp ?? '', libvips: sharp.versions.vips, ...pyVersions, 'libjpeg-turbo (djpeg)': djpeg },
  };
}
