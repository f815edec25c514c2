import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type StopSignal, superviseHeadless } from '../../src/main/headless-supervisor.js';
import { tempDir } from '../helpers/tmp.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const supervisorModule = join(repo, 'src/main/headless-supervisor.ts');

function fakeMain() {
  const log: string[] = [];
  const signals = new Map<StopSignal, () => void>();
  let exitListener: (code: number | null) => void = () => {};
  superviseHeadless({
    child: { stop: () => void log.push('stop'), kill: () => void log.push('kill'), onExit: (l) => (exitListener = l) },
    onSignal: (signal, listener) => void signals.set(signal, listener),
    cleanup: () => void log.push('cleanup'),
    exit: (code) => void log.push(`exit ${code}`),
  });
  return { log, signal: (s: StopSignal) => signals.get(s)!(), childExit: (code: number | null) => exitListener(code) };
}

describe('superviseHeadless (main)', () => {
  it('first Ctrl-C asks the CLI to stop and waits for its exit code; main cleans up, then exits with it', () => {
    const main = fakeMain();
    main.signal('SIGINT');
    assert.deepEqual(main.log, ['stop']);
    main.childExit(130);
    assert.deepEqual(main.log, ['stop', 'cleanup', 'exit 130']);
  });
  it('SIGTERM to main alone is passed on the same way; a second signal kills the CLI and exits 130 once', () => {
    const main = fakeMain();
    main.signal('SIGTERM');
    main.signal('SIGINT');
    main.childExit(null);
    assert.deepEqual(main.log, ['stop', 'kill', 'cleanup', 'exit 130']);
  });
  it('without signals, exits with the CLI code (1 when it died without one)', () => {
    const ok = fakeMain();
    ok.childExit(0);
    assert.deepEqual(ok.log, ['cleanup', 'exit 0']);
    const died = fakeMain();
    died.childExit(null);
    assert.deepEqual(died.log, ['cleanup', 'exit 1']);
  });
});

/** A real Node process running serveHeadlessCli as cli-process.ts does, with a scripted `run`. */
async function cliChild(dir: string, runBody: string): Promise<string> {
  const script = join(dir, 'cli-child.ts');
  await writeFile(
    script,
    `import { serveHeadlessCli } from ${JSON.stringify(supervisorModule)};
const stopListeners: (() => void)[] = [];
process.on('message', () => stopListeners.forEach((l) => l()));
void serveHeadlessCli({
  onStopMessage: (l) => void stopListeners.push(l),
  onSignal: (s, l) => void process.on(s, l),
  run: async (signal) => { ${runBody} },
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
});
`,
  );
  return script;
}

describe('serveHeadlessCli (the CLI process)', () => {
  it('flushes large piped stdout before exiting', async (t) => {
    const dir = await tempDir(t);
    const script = await cliChild(dir, `const line = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 8192; i++) process.stdout.write(line); return 0;`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { maxBuffer: 64 * 1024 * 1024, cwd: repo });
    assert.equal(stdout.length, 8192 * 1024);
  });
  it('Ctrl-C (SIGINT) aborts the run once, lets it clean up, and exits with its code', async (t) => {
    const dir = await tempDir(t);
    const marker = join(dir, 'temp-removed');
    const script = await cliChild(
      dir,
      `process.stdout.write('running\\n');
await new Promise((r) => signal.addEventListener('abort', r));
await new Promise((r) => setImmediate(r));
(await import('node:fs')).writeFileSync(${JSON.stringify(marker)}, 'ok');
return 130;`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('running')) resolve();
      }),
    );
    // Ctrl-C reaches the CLI process twice over (directly and through main's stop message).
    child.kill('SIGINT');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130);
    const { readFile } = await import('node:fs/promises');
    assert.equal(await readFile(marker, 'utf8'), 'ok');
  });
});

describe('resources/img2npy-headless', () => {
  it('puts --ozone-platform=headless on the real command line, before --headless, and passes the exit code on', async (t) => {
    const dir = await tempDir(t);
    const fakeApp = join(dir, 'img2npy');
    await writeFile(fakeApp, '#!/bin/sh\nprintf "%s\\n" "$@"\nexit 3\n');
    await chmod(fakeApp, 0o755);
    const run = promisify(execFile);
    const failed = await run(join(repo, 'resources/img2npy-headless'), ['convert', 'a b', '--json'], { env: { ...process.env, IMG2NPY_APP: fakeApp } }).catch((e: { code: number; stdout: string }) => e);
    assert.equal((failed as { code: number }).code, 3);
    assert.deepEqual((failed as { stdout: string }).stdout.trim().split('\n'), ['--ozone-platform=headless', '--headless', 'convert', 'a b', '--json']);
  });
});
