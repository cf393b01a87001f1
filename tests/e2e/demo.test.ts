import { BUNDLED_POLICIES } from '../../src/core/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { verifyCertificate } from '../../src/report/index.js';
import { cliIo, tempDir } from '../core/runner/runner-fixtures.js';

// The demo evaluates on the repository's own documentation: a docs change that flips a verdict fails here.
describe('npm run demo', () => {
  it('certifies the bundled model: int8 passes, int3 fails, and both certificates verify', async () => {
    const out = tempDir('demo');
    const io = cliIo({ cwd: out });
    const code = await runCli(['demo', '--out', join(out, 'demo')], io);
    expect(io.out()).toMatch(/quant_rtn int8: ✅ PASS/);
    expect(io.out()).toMatch(/quant_rtn int3: ❌ FAIL/);
    expect(code).toBe(0);
    for (const edit of ['int8', 'int3']) {
      const text = readFileSync(join(out, 'demo', edit, 'evaluation.cert.json'), 'utf8');
      expect(verifyCertificate(text, { policy: BUNDLED_POLICIES }).exitCode).toBe(0);
    }
  }, 120_000);
});
