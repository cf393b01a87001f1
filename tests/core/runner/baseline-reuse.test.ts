/**
 * Baseline reuse (ARCHITECTURE.md "Baseline reuse"): a saved baseline evaluation whose key matches
 * replaces scoring the baseline; any key difference recomputes with a `baseline_eval_recomputed`
 * warning; a malformed file is an error, not a silent recompute.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { certify, readBaselineEvaluation, type BaselineEvaluation, type CertifyRun } from '../../../src/core/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import type { Certificate } from '../../../src/report/index.js';
import { GPT2, cliIo, eventLog, removeDir, runConfig, smallCertifyFlags, tempDir } from './runner-fixtures.js';

const RUN_TIMEOUT = 180_000;
const FAST_GUARDS = { spectral: 'off', rmt: 'off', variance: 'off' } as const;

describe('baseline evaluation reuse', () => {
  const tmp = tempDir('baseline-reuse');
  const out = join(tmp, 'first');
  const savedPath = join(out, 'baseline-eval.json');
  let firstCert: Certificate;
  let saved: BaselineEvaluation;
  const reuseLog = eventLog();
  let reused: CertifyRun;
  const mismatchLog = eventLog();
  let recomputed: CertifyRun;

  beforeAll(async () => {
    const io = cliIo();
    const code = await runCli(['certify', '--baseline', GPT2, '--edit', 'noop', ...smallCertifyFlags(), '--out', out, '--quiet'], io);
    if (code !== 0) throw new Error(`first certify exited ${code}: ${io.err()}`);
    firstCert = JSON.parse(readFileSync(join(out, 'evaluation.cert.json'), 'utf8')) as Certificate;
    saved = (await readBaselineEvaluation(savedPath))!;
    // a later run (another edit, same baseline and windows) points at the saved evaluation
    // (activation and weight guards off: they play no part in reuse and cost time)
    reused = await certify(runConfig({ baseline: GPT2, edit: { name: 'quant_rtn', config: { bits: 8 } }, baseline_eval: savedPath, guards: FAST_GUARDS }), {
      cwd: tmp,
      onEvent: reuseLog.onEvent,
    });
    // another seq_len gives other windows: the saved key no longer matches
    recomputed = await certify(runConfig({ baseline: GPT2, edit: { name: 'noop' }, baseline_eval: savedPath, dataset: { seq_len: 48 }, guards: FAST_GUARDS }), {
      cwd: tmp,
      onEvent: mismatchLog.onEvent,
    });
  }, RUN_TIMEOUT);
  afterAll(() => removeDir(tmp));

  it('the CLI writes the evaluation with its key and a key digest', () => {
    expect(saved.format).toBe('invarlock.baseline-eval/v1');
    expect(saved.key).toMatchObject({ seqLen: 64, stride: 64, objective: 'causal', maskSeed: null, provider: firstCert.provenance.execution_provider, datasetHash: firstCert.dataset.dataset_hash });
    expect(saved.key.baselineSha256).toBe(firstCert.models.baseline.file_sha256);
    expect(saved.preview.ids).toHaveLength(32);
    expect(saved.final.ids).toHaveLength(32);
  });

  it('reuses a matching evaluation: per-window baseline values identical, the baseline not scored again', () => {
    const cert = reused.subjects[0]!.certificate;
    expect(cert.windows.preview.baseline).toEqual(firstCert.windows.preview.baseline);
    expect(cert.windows.final.baseline).toEqual(firstCert.windows.final.baseline);
    expect(cert.windows.preview.baseline).toEqual(saved.preview.loss);
    expect(cert.windows.final.baseline).toEqual(saved.final.loss);
    expect(cert.primary_metric.baseline).toEqual(firstCert.primary_metric.baseline);
    expect(reused.baselineEvaluation!.keyDigest).toBe(saved.keyDigest);
    expect(reuseLog.events).toContainEqual({ type: 'info', message: `reusing the baseline evaluation ${savedPath}` });
    expect(reuseLog.events.some((e) => e.type === 'warning' && e.id === 'baseline_eval_recomputed')).toBe(false);
    const baselineScoring = reuseLog.events.filter((e) => e.type === 'batch' && e.model === 'baseline' && (e.arm === 'preview' || e.arm === 'final'));
    expect(baselineScoring).toEqual([]);
  });

  it('recomputes when the key differs (seq_len: other windows) and names the first field that differs', () => {
    const warning = mismatchLog.events.find((e) => e.type === 'warning' && e.id === 'baseline_eval_recomputed');
    expect(warning).toBeDefined();
    expect(warning!.type === 'warning' && warning!.message).toMatch(/^baseline evaluation not reused: (datasetHash|seqLen) differs \(saved \S+, now \S+\)$/);
    expect(mismatchLog.events.some((e) => e.type === 'batch' && e.model === 'baseline' && e.arm === 'final')).toBe(true);
    const cert = recomputed.subjects[0]!.certificate;
    expect(cert.dataset.seq_len).toBe(48);
    expect(cert.windows.final.baseline).not.toEqual(saved.final.loss);
    expect(recomputed.baselineEvaluation!.key.seqLen).toBe(48);
    expect(recomputed.baselineEvaluation!.keyDigest).not.toBe(saved.keyDigest);
  });

  it('refuses a malformed evaluation file with E_BASELINE_EVAL instead of recomputing silently', async () => {
    const broken = join(tmp, 'broken-baseline-eval.json');
    const doctored = { ...saved, key: { ...saved.key, seqLen: 65 } };
    writeFileSync(broken, JSON.stringify(doctored));
    const error = await certify(runConfig({ baseline: GPT2, edit: { name: 'noop' }, baseline_eval: broken, guards: FAST_GUARDS }), { cwd: tmp }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isInvarlockError(error)).toBe(true);
    if (!isInvarlockError(error)) return;
    expect(error.code).toBe('E_BASELINE_EVAL');
    expect(error.details).toMatchObject({ file: broken, field: 'keyDigest' });
  }, RUN_TIMEOUT);
});
