import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Creates empty files (and folders for names ending in '/'): only names matter to a scan. */
export async function makeTree(root: string, paths: string[]): Promise<void> {
  for (const p of paths) {
    if (p.endsWith('/')) await mkdir(join(root, p), { recursive: true });
    else {
      await mkdir(dirname(join(root, p)), { recursive: true });
      await writeFile(join(root, p), '');
    }
  }
}
