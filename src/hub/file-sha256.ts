import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { wrapError } from '../errors/index.js';

/**
 * sha256 (lowercase hex) of a file's bytes, streamed in 1 MiB chunks so files of any size (also
 * over Node's 2 GiB `readFile` limit) hash in constant memory. Symlinks are followed.
 *
 * @throws `E_FILE_NOT_FOUND` when the file does not exist; `E_FILE_READ` for any other read error.
 */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk);
    }
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    throw wrapError(error, missing ? 'E_FILE_NOT_FOUND' : 'E_FILE_READ', `Cannot hash ${path}`, { details: { file: path } });
  }
  return hash.digest('hex');
}
