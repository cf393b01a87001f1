import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { wrapError } from '../../errors/index.js';

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(root: string, dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const full = join(dir, entry.name);
    // stat follows links: a model directory of symlinks into a hub cache hashes its content.
    const info = await stat(full);
    if (info.isDirectory()) await listFiles(root, full, out);
    else if (info.isFile()) out.push(relative(root, full).split(sep).join('/'));
  }
}

/**
 * sha256 (hex) of a file's bytes, or of a directory's content: every file (recursively, `.git`
 * skipped, symlinks followed) as `path\0size\0sha256\n` lines in code-unit order of the path, so
 * the digest depends on names and bytes only, never on timestamps or walk order. Throws
 * `E_FILE_NOT_FOUND` / `E_FILE_READ`.
 */
export async function contentDigest(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.isFile()) return await fileHash(path);
    const files: string[] = [];
    await listFiles(path, path, files);
    files.sort();
    const outer = createHash('sha256');
    for (const file of files) {
      const full = join(path, ...file.split('/'));
      const size = (await stat(full)).size;
      outer.update(`${file}\0${size}\0${await fileHash(full)}\n`);
    }
    return outer.digest('hex');
  } catch (error) {
    const code = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_FILE_READ';
    throw wrapError(error, code, `cannot hash ${path}`, { details: { file: path } });
  }
}
