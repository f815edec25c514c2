/**
 * The folder tree an archive's members unpack to, built from the listing alone, and the
 * img2npy outputs inside it left out before anything is scanned: an output is recognised by its
 * manifest (`<name>.manifest.json`, read from the archive) as in a folder (walk.ts), or, for an
 * `.npy` output folder without one, by holding `x.npy` and nothing but the writer's arrays.
 */
import { readArchiveEntry } from './archive-read.js';
import type { ArchiveMember } from './archive-members.js';
import { manifestSuffix, maxManifestBytes, outputFolderFiles, parseOwnManifest } from './own-outputs.js';

export interface VDir {
  name: string;
  dirs: Map<string, VDir>;
  files: Map<string, ArchiveMember>;
}

const newDir = (name: string): VDir => ({ name, dirs: new Map(), files: new Map() });

/** The folder tree the members unpack to; a later member of the same name replaces an earlier one, as unpacking does. */
export function buildTree(members: ArchiveMember[], refused: ArchiveMember[]): VDir {
  const top = newDir('');
  const dirAt = (segments: string[]): VDir => {
    let d = top;
    for (const s of segments) {
      let next = d.dirs.get(s);
      if (!next) d.dirs.set(s, (next = newDir(s)));
      d = next;
    }
    return d;
  };
  for (const m of members) {
    if (m.problem !== null) refused.push(m);
    else if (m.kind === 'dir') dirAt(m.segments);
    else if (m.kind === 'file') {
      const parent = dirAt(m.segments.slice(0, -1));
      const name = m.segments[m.segments.length - 1];
      const earlier = parent.files.get(name);
      if (earlier) refused.push({ ...earlier, problem: 'a later member has the same name and is taken instead, as unpacking would' });
      parent.files.set(name, m);
    }
  }
  return top;
}

/** A member's bytes for the scan: kept by the listing (.tar.gz), or read in place (zip, tar); null when neither. */
export function smallMemberBytes(m: ArchiveMember, display: string): Buffer | null {
  if (m.held) return m.held;
  if (m.source === null || m.source.kind === 'tar.gz') return null;
  return readArchiveEntry(m.source, display);
}

function isOutputFolder(d: VDir): boolean {
  return d.dirs.size === 0 && d.files.has('x.npy') && [...d.files.keys()].every((f) => outputFolderFiles.includes(f));
}

/**
 * Removes img2npy's own outputs from the tree under `root` (in place), with a warning naming
 * each (its path relative to `root`) and the manifest that lists it.
 * @example leaveOutOwnOutputs(root, '/data/ds.zip/ds', warnings); // warnings: ['Left out old.npz: an img2npy output (listed by old.manifest.json), never scanned as input']
 */
export function leaveOutOwnOutputs(root: VDir, rootAbs: string, warnings: string[]): void {
  const stack: { dir: VDir; rel: string }[] = [{ dir: root, rel: '' }];
  while (stack.length > 0) {
    const { dir, rel } = stack.pop()!;
    const at = (name: string) => (rel ? `${rel}/${name}` : name);
    for (const [name, m] of [...dir.files]) {
      if (!name.endsWith(manifestSuffix) || !m.source || m.source.length > maxManifestBytes) continue;
      let manifest;
      try {
        const bytes = smallMemberBytes(m, `${rootAbs}/${at(name)}`);
        manifest = bytes && parseOwnManifest(bytes.toString('utf8'), at(name));
      } catch {
        continue;
      }
      if (!manifest) continue;
      dir.files.delete(name);
      for (const out of manifest.outputs) {
        if (!dir.files.delete(out) && !dir.dirs.delete(out)) continue;
        warnings.push(`Left out ${at(out)}: an img2npy output (listed by ${at(name)}), never scanned as input`);
      }
    }
    for (const [name, sub] of [...dir.dirs]) {
      if (isOutputFolder(sub)) {
        dir.dirs.delete(name);
        warnings.push(`Left out ${at(name)}/: an img2npy .npy output folder (x.npy and the arrays beside it), never scanned as input`);
      } else {
        stack.push({ dir: sub, rel: at(name) });
      }
    }
  }
}
