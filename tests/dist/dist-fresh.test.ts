import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/check-dist.mjs', import.meta.url));

describe('dist/', () => {
  it('matches a fresh npm run bundle byte for byte', async () => {
    const result = await run(process.execPath, [script], { maxBuffer: 16 * 1024 * 1024 }).catch((error: { stderr?: string; code?: number }) => error);
    expect((result as { stderr?: string }).stderr ?? '').toBe('');
    expect((result as { stdout?: string }).stdout).toMatch(/dist\/ matches a fresh build/);
  }, 300_000);
});
