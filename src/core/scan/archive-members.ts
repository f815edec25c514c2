/**
 * What an archive lists, before any of it is taken: each member with its kind, where its bytes
 * lie, or why it is refused. Names are checked here, once, for both zip and tar: a name that
 * would land outside the folder it is unpacked into (`../`, absolute, a drive letter) is never
 * taken, and neither is a link, since its target is chosen by whoever made the archive.
 */
import { type Stats, fstatSync } from 'node:fs';
import { Img2npyError } from '../../shared/errors.js';
import type { ArchiveIdentity, EntrySource } from '../types.js';

export interface ArchiveMember {
  /** The name as written in the archive (for messages). */
  raw: string;
  /** '/'-separated segments, './' and empty segments removed; [] when refused. */
  segments: string[];
  kind: 'file' | 'dir' | 'link' | 'other';
  /** Where a file's bytes are; null for folders and refused members. */
  source: EntrySource | null;
  /** Why the member is left out, in words; null when it may be taken. */
  problem: string | null;
  /** Its bytes, when the listing kept them (a .tar.gz's small metadata files and manifests: no second pass for them). */
  held?: Buffer;
}

/** All members together may declare at most this many times the archive's size (or 4 GiB, whichever is larger). */
export const maxTotalRatio = 100;
export const minTotalLimit = 4 * 1024 * 1024 * 1024;

/** The most an archive of `archiveBytes` may unpack to, all members together (a .tar.gz's whole gunzipped stream too). */
export function unpackedLimit(archiveBytes: number): number {
  return Math.max(minTotalLimit, maxTotalRatio * archiveBytes);
}

/** Input extensions read as archives (lower case), and what kind each is. */
export function archiveKind(path: string): 'zip' | 'tar' | 'tar.gz' | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar')) return 'tar';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  return null;
}

/**
 * Splits a member's name into path segments, or says why it cannot be taken.
 *
 * @example
 * memberSegments('./ds/cat/1.png'); // { segments: ['ds', 'cat', '1.png'], problem: null }
 * memberSegments('../etc/passwd').problem; // 'its name leads out of the archive's folder (..)'
 */
export function memberSegments(name: string): { segments: string[]; problem: string | null } {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return { segments: [], problem: 'its name is an absolute path; never taken' };
  if (name.includes('\0')) return { segments: [], problem: 'its name holds a NUL character; never taken' };
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { segments: [], problem: "its name leads out of the archive's folder (..); never taken" };
  if (segments.length === 0) return { segments: [], problem: 'it has an empty name' };
  return { segments, problem: null };
}

/** Fills in segments and problem from the raw name (problems found earlier are kept). */
export function member(raw: string, kind: ArchiveMember['kind'], source: EntrySource | null, problem: string | null): ArchiveMember {
  const named = memberSegments(raw);
  return { raw, segments: named.segments, kind, source: named.problem || problem ? null : source, problem: named.problem ?? problem };
}

/** The identity fstat/stat gives an archive. */
export function identityOf(s: Stats): ArchiveIdentity {
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev };
}

export function sameIdentity(a: ArchiveIdentity, b: ArchiveIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev;
}

/** The job-ending error for an archive that is not the file the scan listed (not a per-member skip: every member is suspect). */
export function archiveChanged(archive: string, how: string, cause?: unknown): Img2npyError {
  return new Img2npyError('input-unreadable', `Archive ${archive} changed while it was being converted (${how}); nothing was written`, { file: archive, cause });
}

/** What differs between the listed archive and the one now open, in words. */
export function identityChange(listed: ArchiveIdentity, now: ArchiveIdentity): string {
  if (listed.ino !== now.ino || listed.dev !== now.dev) return 'it was replaced by another file since it was listed';
  if (listed.size !== now.size) return `its size went from ${listed.size} to ${now.size} bytes since it was listed`;
  return 'it was modified since it was listed';
}

/**
 * Checks that the archive open at `fd` is the one the scan listed (`source.identity`); one fstat.
 * @throws {Img2npyError} `input-unreadable` from archiveChanged when it is not.
 */
export function checkArchiveIdentity(fd: number, source: EntrySource): void {
  if (!source.identity) return;
  const now = identityOf(fstatSync(fd));
  if (!sameIdentity(source.identity, now)) throw archiveChanged(source.archive, identityChange(source.identity, now));
}
