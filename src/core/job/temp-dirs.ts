/**
 * The job's temporary folder (`.img2npy-<jobId>.tmp`, next to the destination) carries its
 * owner: pid, the process's start time and the host. A run killed outright (SIGKILL, power
 * loss) cannot clean up after itself, so the next run into the same folder removes temporary
 * folders whose owner is provably dead, and says so.
 */
import { hostname } from 'node:os';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Img2npyError } from '../../shared/errors.js';

const ownerFile = 'owner.json';
const tempName = /^\.img2npy-.+\.tmp$/;

interface Owner {
  tool: 'img2npy';
  pid: number;
  /** Linux: the process start time in clock ticks since boot (/proc/<pid>/stat field 22); null elsewhere. */
  started: string | null;
  host: string;
}

async function startTimeOf(pid: number): Promise<string | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // The command name (field 2) may hold spaces and parentheses; fields after its last ')' are plain.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the job's temporary folder and records its owner in it.
 * @throws Img2npyError `write-failed` naming the folder.
 */
export async function claimTempDir(tempDir: string): Promise<void> {
  const owner: Owner = { tool: 'img2npy', pid: process.pid, started: await startTimeOf(process.pid), host: hostname() };
  try {
    await mkdir(tempDir);
    await writeFile(join(tempDir, ownerFile), JSON.stringify(owner) + '\n');
  } catch (err) {
    throw new Img2npyError('write-failed', `Cannot write in ${join(tempDir, '..')}: ${(err as Error).message}`, { file: tempDir, cause: err });
  }
}

async function deadOwner(dir: string): Promise<Owner | null> {
  const text = await readFile(join(dir, ownerFile), 'utf8').catch(() => null);
  if (text === null) return null;
  let owner: Owner;
  try {
    owner = JSON.parse(text) as Owner;
  } catch {
    return null;
  }
  if (owner?.tool !== 'img2npy' || !Number.isInteger(owner.pid) || owner.host !== hostname()) return null;
  if (!isAlive(owner.pid)) return owner;
  // The pid is in use: by the owner, unless it was reused by a process started at another time.
  const now = await startTimeOf(owner.pid);
  return owner.started !== null && now !== null && now !== owner.started ? owner : null;
}

/**
 * Removes temporary folders in `parent` left by img2npy runs that died, one notice each.
 * Rule for the delete: the folder has img2npy's temporary name, is a real folder (not a link),
 * holds an owner record written by img2npy on this host, and that owner process no longer
 * exists. A folder without a readable owner (another tool's, an older img2npy's, or one being
 * created right now) is left alone.
 */
export async function removeDeadTempDirs(parent: string, onNotice?: (message: string) => void): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names.filter((n) => tempName.test(n))) {
    const dir = join(parent, name);
    const s = await lstat(dir).catch(() => null);
    if (!s?.isDirectory()) continue;
    const owner = await deadOwner(dir);
    if (!owner) continue;
    await rm(dir, { recursive: true, force: true }).then(
      () => onNotice?.(`Removed ${dir}, left by an img2npy run (pid ${owner.pid}) that was killed before it could clean up`),
      (err: Error) => onNotice?.(`Could not remove ${dir}, left by a killed img2npy run: ${err.message}`),
    );
  }
}
