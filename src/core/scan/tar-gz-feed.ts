/**
 * Reads .tar.gz members for one pass of a job (decode, header probe, hashing) on the main thread:
 * gzip has no random access, so one sequential gunzip stream serves every request. It is told
 * the order requests will come in, keeps members it passes that are asked for later in a bounded
 * cache (evicting the one needed farthest in the future: Belady's rule, optimal for a known
 * order), reads only while someone waits for a member ahead, and starts the stream again from
 * the top only when asked for a member it has passed without keeping. Sorted requests over a
 * sorted archive take one pass; shuffled requests take one pass while what lies between fits the
 * budget.
 */
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import type { Gunzip } from 'node:zlib';
import { Img2npyError } from '../../shared/errors.js';
import { maxEntryBytes, readArchiveEntry } from './archive-read.js';
import { archiveChanged, identityChange, identityOf, sameIdentity, unpackedLimit } from './archive-members.js';
import { gunzipStream, gzipProblem } from './tar-gz-members.js';
import type { ArchiveIdentity, EntrySource } from '../types.js';

/** Members kept for later, all together (a member asked for now is delivered whatever its size). */
export const defaultFeedBudget = 256 * 1024 * 1024;

/** Tests set a tiny budget through this variable to force evictions and second passes in a real run. */
const budgetVariable = 'IMG2NPY_TAR_GZ_CACHE_BYTES';

/**
 * A feed for the .tar.gz members among `files`, asked for in that order; null when none is one.
 * @example
 * using feed = tarGzFeedFor(files, { signal });
 * const bytes = await readMember(feed, files[0].source!, files[0].abs);
 */
export function tarGzFeedFor(files: readonly { source?: EntrySource }[], opts: { signal?: AbortSignal; budget?: number } = {}): TarGzFeed | null {
  const order = files.flatMap((f) => (f.source?.kind === 'tar.gz' ? [f.source] : []));
  if (order.length === 0) return null;
  const raw = process.env[budgetVariable];
  const fromEnv = raw ? Number(raw) : NaN;
  const budget = opts.budget ?? (Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : defaultFeedBudget);
  return new TarGzFeed(order[0].archive, order, { budget, signal: opts.signal });
}

/**
 * An archive member's bytes on this thread: a zip or tar member read in place, a .tar.gz member
 * through `feed` (the one tarGzFeedFor made for these files).
 * @throws {Img2npyError} as readArchiveEntry and TarGzFeed.read.
 */
export async function readMember(feed: TarGzFeed | null, source: EntrySource, display: string): Promise<Buffer> {
  if (source.kind !== 'tar.gz') return readArchiveEntry(source, display);
  if (!feed) throw new Img2npyError('unreadable-image', `Cannot read ${display}: a .tar.gz member is read only through the job's feed`, { file: display });
  return feed.read(source, display);
}

interface Waiter {
  display: string;
  resolve: (bytes: Buffer) => void;
  reject: (err: unknown) => void;
}

/**
 * @example
 * const feed = new TarGzFeed('/data/ds.tgz', files.map((f) => f.source!), { signal });
 * try { const bytes = await feed.read(files[0].source!, files[0].abs); } finally { feed.close(); }
 */
export class TarGzFeed {
  /** How many times the stream was started (1 when every member came in one pass). */
  passes = 0;
  private readonly wanted: EntrySource[];
  private readonly uses = new Map<number, number[]>();
  private readonly used = new Map<number, number>();
  private readonly cache = new Map<number, Buffer>();
  private cacheBytes = 0;
  private readonly waiters = new Map<number, Waiter[]>();
  private stream: Gunzip | null = null;
  private paused = false;
  private pos = 0;
  private cursor = 0;
  private collecting: { src: EntrySource; buf: Buffer; filled: number; reserved: boolean } | null = null;
  private failure: unknown = null;
  private readonly limit: number;
  /** The archive as listed: each pass checks it opens that same file before reading it again. */
  private readonly identity: ArchiveIdentity | null;
  private readonly onAbort = () => this.fail(new Img2npyError('cancelled', `Reading ${this.archive} cancelled`));

  constructor(
    readonly archive: string,
    order: readonly EntrySource[],
    private readonly opts: { budget?: number; signal?: AbortSignal } = {},
  ) {
    order.forEach((s, i) => {
      const list = this.uses.get(s.offset);
      if (list) list.push(i);
      else this.uses.set(s.offset, [i]);
    });
    const seen = new Set<number>();
    this.wanted = order.filter((s) => !seen.has(s.offset) && seen.add(s.offset)).sort((a, b) => a.offset - b.offset);
    this.identity = order.find((s) => s.identity)?.identity ?? null;
    let size = this.identity?.size ?? 0;
    if (!this.identity) {
      try {
        size = statSync(archive).size;
      } catch {
        // Reported by the stream when it opens the file.
      }
    }
    this.limit = unpackedLimit(size);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (opts.signal?.aborted) this.onAbort();
  }

  /**
   * The member's bytes, exactly its declared length.
   * @throws {Img2npyError} `unreadable-image` naming `display` when the archive ends inside it or
   *   it is larger than maxEntryBytes; `input-unreadable` naming the archive when the gzip stream
   *   is damaged or unpacks past the bomb limit, or when a pass finds it is not the file the scan
   *   listed (archiveChanged: the job fails); `cancelled`; every waiter gets the error.
   */
  read(src: EntrySource, display: string): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (src.length > maxEntryBytes) {
      return Promise.reject(new Img2npyError('unreadable-image', `Cannot read ${display} from the archive: it declares ${src.length} bytes, more than the ${maxEntryBytes} read from one archive member`, { file: display }));
    }
    this.used.set(src.offset, (this.used.get(src.offset) ?? 0) + 1);
    if (src.length === 0) return Promise.resolve(Buffer.alloc(0));
    const kept = this.cache.get(src.offset);
    if (kept) return Promise.resolve(this.handOut(src.offset, kept));
    if (!this.uses.has(src.offset)) this.insertWanted(src);
    return new Promise<Buffer>((resolve, reject) => {
      const list = this.waiters.get(src.offset);
      if (list) list.push({ display, resolve, reject });
      else this.waiters.set(src.offset, [{ display, resolve, reject }]);
      this.steer();
    });
  }

  /** Stops the stream and drops the cache; requests still waiting are rejected (idempotent). */
  close(): void {
    this.fail(new Img2npyError('cancelled', `Reading ${this.archive} stopped before every member was read`));
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  /** `using feed = tarGzFeedFor(files)`: closed however the block is left. */
  [Symbol.dispose](): void {
    this.close();
  }

  private nextUse(offset: number): number {
    return this.uses.get(offset)?.[this.used.get(offset) ?? 0] ?? Infinity;
  }

  /** A cached member handed out: kept (as a copy handed out) while asked for again, else given up. */
  private handOut(offset: number, buf: Buffer): Buffer {
    if (this.nextUse(offset) !== Infinity) return Buffer.from(buf);
    this.cache.delete(offset);
    this.cacheBytes -= buf.length;
    return buf;
  }

  private insertWanted(src: EntrySource): void {
    this.uses.set(src.offset, []);
    let i = this.wanted.findIndex((w) => w.offset > src.offset);
    if (i < 0) i = this.wanted.length;
    this.wanted.splice(i, 0, src);
    if (i < this.cursor) this.cursor++;
  }

  /** Room for a member next used at `use`, freed by evicting members needed later than it; false when there is none. */
  private admit(length: number, use: number): boolean {
    const budget = this.opts.budget ?? defaultFeedBudget;
    if (this.cacheBytes + length <= budget) return true;
    const later = [...this.cache.keys()].filter((o) => this.nextUse(o) > use).sort((a, b) => this.nextUse(b) - this.nextUse(a));
    let free = budget - this.cacheBytes;
    const evict: number[] = [];
    for (const o of later) {
      if (free >= length) break;
      free += this.cache.get(o)!.length;
      evict.push(o);
    }
    if (free < length) return false;
    for (const o of evict) {
      this.cacheBytes -= this.cache.get(o)!.length;
      this.cache.delete(o);
    }
    return true;
  }

  /** Reads on while a waiter's member lies ahead; starts again from the top when all lie behind. */
  private steer(): void {
    if (this.failure || this.waiters.size === 0) {
      if (this.stream && !this.paused) {
        this.paused = true;
        this.stream.pause();
      }
      return;
    }
    const from = this.collecting ? this.collecting.src.offset : this.pos;
    const ahead = this.stream !== null && [...this.waiters.keys()].some((o) => o >= from);
    if (ahead) {
      if (this.paused) {
        this.paused = false;
        this.stream!.resume();
      }
      return;
    }
    this.start();
  }

  private start(): void {
    this.stream?.destroy();
    if (this.collecting?.reserved) this.cacheBytes -= this.collecting.src.length;
    this.collecting = null;
    this.pos = 0;
    this.cursor = 0;
    this.paused = false;
    this.passes++;
    let fd: number;
    try {
      fd = openSync(this.archive, 'r');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      this.fail(this.identity ? archiveChanged(this.archive, `it cannot be opened any more: ${code}`, cause) : new Img2npyError('input-unreadable', `Archive ${this.archive} cannot be opened (${code})`, { file: this.archive, cause }));
      return;
    }
    if (this.identity) {
      const now = identityOf(fstatSync(fd));
      if (!sameIdentity(this.identity, now)) {
        closeSync(fd);
        this.fail(archiveChanged(this.archive, identityChange(this.identity, now)));
        return;
      }
    }
    // The stream reads the file just checked (its fd), not whatever the path names a moment later.
    const stream = gunzipStream(this.archive, undefined, { fd });
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      try {
        this.take(chunk);
      } catch (err) {
        this.fail(err);
        return;
      }
      this.steer();
    });
    stream.on('error', (err) => {
      if (this.stream === stream) this.fail(new Img2npyError('input-unreadable', `Archive ${this.archive} ${gzipProblem(err)}`, { file: this.archive, cause: err }));
    });
    stream.on('end', () => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.ended();
    });
  }

  private take(chunk: Buffer): void {
    const end = this.pos + chunk.length;
    while (true) {
      let c = this.collecting;
      if (c === null) {
        while (this.cursor < this.wanted.length && this.wanted[this.cursor].offset < this.pos) this.cursor++;
        const next = this.wanted[this.cursor];
        if (!next || next.offset >= end) break;
        this.cursor++;
        const waited = this.waiters.has(next.offset);
        const reserved = !waited && next.length > 0 && this.nextUse(next.offset) !== Infinity && this.admit(next.length, this.nextUse(next.offset));
        if (!waited && !reserved) continue;
        if (reserved) this.cacheBytes += next.length;
        c = this.collecting = { src: next, buf: Buffer.allocUnsafeSlow(next.length), filled: 0, reserved };
      }
      const from = c.src.offset + c.filled;
      const n = Math.min(c.buf.length - c.filled, end - from);
      if (n > 0) chunk.copy(c.buf, c.filled, from - this.pos, from - this.pos + n);
      c.filled += Math.max(0, n);
      if (c.filled < c.buf.length) break;
      this.collecting = null;
      this.deliver(c.src, c.buf, c.reserved);
    }
    this.pos = end;
    if (this.pos > this.limit) {
      throw new Img2npyError('input-unreadable', `Archive ${this.archive} unpacks to more than ${this.limit} bytes, as gzip bombs do; not read further`, { file: this.archive });
    }
  }

  private deliver(src: EntrySource, buf: Buffer, reserved: boolean): void {
    const waiting = this.waiters.get(src.offset) ?? [];
    this.waiters.delete(src.offset);
    if (reserved) this.cacheBytes -= src.length;
    const later = this.nextUse(src.offset);
    const keep = later !== Infinity && (reserved || this.admit(src.length, later));
    if (keep) {
      this.cache.set(src.offset, buf);
      this.cacheBytes += src.length;
    }
    waiting.forEach((w, i) => w.resolve(keep || i > 0 ? Buffer.from(buf) : buf));
  }

  /** The stream ended: members it never reached, or ended inside, are not in this archive any more. */
  private ended(): void {
    const c = this.collecting;
    this.collecting = null;
    if (c?.reserved) this.cacheBytes -= c.src.length;
    for (const [offset, list] of [...this.waiters]) {
      if (offset < this.pos && offset !== c?.src.offset) continue;
      this.waiters.delete(offset);
      const src = this.wanted.find((w) => w.offset === offset)!;
      const got = c?.src.offset === offset ? c.filled : 0;
      for (const w of list) {
        w.reject(new Img2npyError('unreadable-image', `Cannot read ${w.display} from the archive: it ends inside it (${got} of ${src.length} bytes); did it change since it was listed?`, { file: w.display }));
      }
    }
    this.steer();
  }

  private fail(err: unknown): void {
    if (!this.failure) this.failure = err;
    this.stream?.destroy();
    this.stream = null;
    this.collecting = null;
    this.cache.clear();
    this.cacheBytes = 0;
    const all = [...this.waiters.values()].flat();
    this.waiters.clear();
    for (const w of all) w.reject(this.failure);
  }
}
