/**
 * `--max-memory`: the planner's choice is recorded in the certificate's timing block (outside the
 * digest), and a budget no setting fits stops the run before any scoring with E_MEMORY_BUDGET, exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { parseRunConfigFile, resolveRunConfig } from '../../../src/core/index.js';
import { configRecord } from '../../../src/core/runner/run-records.js';
import { certificateDigest, type Certificate } from '../../../src/report/index.js';
import { GPT2, cliIo, listFiles, removeDir, smallCertifyFlags, tempDir } from './runner-fixtures.js';

const RUN_TIMEOUT = 180_000;

describe('certify --max-memory', () => {
  const tmp = tempDir('memory-budget');
  afterAll(() => removeDir(tmp));

  it('a budget below what the run needs stops before scoring: exit 2, E_MEMORY_BUDGET, the bytes needed, no output', async () => {
    const out = join(tmp, 'short');
    const events = join(tmp, 'short-events.ndjson');
    const io = cliIo();
    const code = await runCli(['certify', '--baseline', GPT2, '--edit', 'quant_rtn', ...smallCertifyFlags(), '--max-memory', '64MiB', '--events', events, '--out', out], io);
    expect(code).toBe(2);
    expect(io.err()).toContain('E_MEMORY_BUDGET');
    expect(io.err()).toMatch(/needs about [\d,.]+ (MiB|GiB) \(batch 1, one worker, no weight pre-packing\); --max-memory allows 64 MiB/);
    expect(listFiles(out)).toEqual([]);
    const stages = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; stage?: string })
      .filter((e) => e.type === 'stage-start')
      .map((e) => e.stage);
    expect(stages).toEqual(['prepare']);
  }, RUN_TIMEOUT);

  it('an ample budget runs as without one, and the certificate records the plan outside its digest', async () => {
    const out = join(tmp, 'ample');
    const code = await runCli(['certify', '--baseline', GPT2, '--edit', 'quant_rtn', ...smallCertifyFlags(), '--max-memory', '8GiB', '--out', out], cliIo());
    expect(code).toBe(0);
    const cert = JSON.parse(readFileSync(join(out, 'evaluation.cert.json'), 'utf8')) as Certificate;
    expect(cert.timing.resources).toMatchObject({ budget_bytes: 8 * 1024 ** 3, budget_source: 'max_memory', batch_size: 'auto', prepack: true, chunk_bytes: 64 * 1024 * 1024 });
    expect(cert.timing.resources!.estimate_bytes).toBeLessThan(8 * 1024 ** 3);
    // the plan is machine-dependent: changing it changes no digest
    expect(certificateDigest({ ...cert, timing: { ...cert.timing, resources: null } })).toBe(cert.digest);
  }, RUN_TIMEOUT);

  it('doctor states the plan, and names a budget too small as an error finding with the bytes needed', async () => {
    const io = cliIo();
    const code = await runCli(['doctor', '--baseline', GPT2, '--profile', 'dev', '--dataset', smallCertifyFlags()[5]!, '--max-memory', '64MiB', '--json'], io);
    const report = JSON.parse(io.out()) as { findings: { code: string; severity: string; message: string }[] };
    expect(code).toBe(1);
    expect(report.findings.find((f) => f.code === 'D_MEMORY_PLAN')?.message).toMatch(/^memory plan: about [\d,.]+ (MiB|GiB) of 64 MiB \(--max-memory\); batch 1, 1 kernel worker/);
    expect(report.findings.find((f) => f.code === 'D_MEMORY_SHORT')).toMatchObject({ severity: 'error', message: expect.stringMatching(/needs about [\d,.]+ (MiB|GiB) at batch 1 with one worker; --max-memory allows 64 MiB/) as string });
  }, RUN_TIMEOUT);

  it('the budget is not part of the recorded configuration (its digest is the same with any budget)', () => {
    const config = (max: string | undefined) =>
      configRecord(resolveRunConfig(parseRunConfigFile({ baseline: GPT2, edit: { name: 'quant_rtn' }, ...(max === undefined ? {} : { max_memory: max }) }, 'test'), 'test'));
    expect(resolveRunConfig(parseRunConfigFile({ baseline: GPT2, edit: { name: 'quant_rtn' }, max_memory: '12G' }, 'test'), 'test').maxMemoryBytes).toBe(12 * 1024 ** 3);
    expect(config('12G')).toEqual(config(undefined));
  });

  it('a malformed max_memory is E_CONFIG_INVALID naming the field', () => {
    expect(() => resolveRunConfig(parseRunConfigFile({ baseline: GPT2, edit: { name: 'quant_rtn' }, max_memory: 'lots' }, 'test'), 'test')).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID' }) as Error,
    );
  });
});
