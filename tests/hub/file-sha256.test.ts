import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSha256 } from '../../src/hub/index.js';
import { isInvarlockError } from '../../src/errors/index.js';

describe('fileSha256', () => {
  it('hashes a file larger than one chunk exactly like a one-shot sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'invarlock-sha-'));
    try {
      const data = Buffer.alloc(3 * (1 << 20) + 17);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 255;
      await writeFile(join(dir, 'f.bin'), data);
      expect(await fileSha256(join(dir, 'f.bin'))).toBe(createHash('sha256').update(data).digest('hex'));
      await writeFile(join(dir, 'empty'), '');
      expect(await fileSha256(join(dir, 'empty'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws E_FILE_NOT_FOUND naming a missing file', async () => {
    const error: unknown = await fileSha256('/nonexistent/invarlock.bin').catch((e: unknown) => e);
    expect(isInvarlockError(error, 'E_FILE_NOT_FOUND')).toBe(true);
    expect(isInvarlockError(error) && error.details.file).toBe('/nonexistent/invarlock.bin');
  });
});
