/**
 * Determinism of a certify run (ALGORITHMS.md §7, CERTIFICATE.md "Deterministic"): the same
 * configuration and seed give the same certificate bytes outside `timing`, and the same digest;
 * another seed draws other windows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { certify } from '../../../src/core/index.js';
import { serializeCertificate, type Certificate } from '../../../src/report/index.js';
import { GPT2, runConfig } from './runner-fixtures.js';

const RUN_TIMEOUT = 180_000;
const FIXED_TIMING: Certificate['timing'] = { started_at: '2000-01-01T00:00:00.000Z', finished_at: '2000-01-01T00:00:00.000Z', duration_ms: 0, stages: [], resources: null };

/** The certificate's bytes with the only block outside the digest replaced by a constant. */
function bytesWithoutTiming(cert: Certificate): string {
  return serializeCertificate({ ...cert, timing: FIXED_TIMING });
}

// 4-bit RTN on the MLP: per-window deltas differ, so the bootstrap CI is a real BCa interval
const config = (seed: number) => runConfig({ baseline: GPT2, seed, edit: { name: 'quant_rtn', config: { bits: 4, scope: 'ffn' } } }, `seed ${seed}`);

describe('certify determinism', () => {
  let first: Certificate;
  let second: Certificate;
  let reseeded: Certificate;
  const frozen = new Date('2024-05-06T07:08:09.000Z');

  beforeAll(async () => {
    first = (await certify(config(42), { cwd: process.cwd() })).subjects[0]!.certificate;
    // the second run injects a frozen wall clock and a stopped stage clock
    second = (await certify(config(42), { cwd: process.cwd(), clock: () => frozen, now: () => 1000 })).subjects[0]!.certificate;
    reseeded = (await certify(config(7), { cwd: process.cwd() })).subjects[0]!.certificate;
    console.log(
      `[determinism] seed 42: digest=${first.digest} ratio=${first.primary_metric.ratio} ci=${JSON.stringify(first.primary_metric.ratio_ci)}; ` +
        `seed 7: digest=${reseeded.digest} ratio=${reseeded.primary_metric.ratio} ci=${JSON.stringify(reseeded.primary_metric.ratio_ci)}`,
    );
  }, RUN_TIMEOUT);

  it('gives byte-identical certificates apart from timing for the same config and seed', () => {
    expect(first.primary_metric.ci_method).toBe('bca');
    expect(bytesWithoutTiming(second)).toBe(bytesWithoutTiming(first));
    expect(second.digest).toBe(first.digest);
    expect(second.run_id).toBe(first.run_id);
    expect(second.primary_metric.ratio_ci).toEqual(first.primary_metric.ratio_ci);
  });

  it('keeps wall-clock facts only in timing, which the injected clocks drive', () => {
    expect(second.timing.started_at).toBe(frozen.toISOString());
    expect(second.timing.finished_at).toBe(frozen.toISOString());
    expect(second.timing.duration_ms).toBe(0);
    expect(second.timing.stages.length).toBeGreaterThan(0);
    expect(second.timing.stages.every((s) => s.duration_ms === 0)).toBe(true);
    expect(first.timing.started_at).not.toBe(second.timing.started_at);
  });

  it('draws other windows with another seed: other window hashes and another digest, same tokenizer and policy', () => {
    expect(reseeded.dataset.seed).toBe(7);
    expect(reseeded.dataset.preview_hash).not.toBe(first.dataset.preview_hash);
    expect(reseeded.dataset.final_hash).not.toBe(first.dataset.final_hash);
    expect(reseeded.dataset.dataset_hash).not.toBe(first.dataset.dataset_hash);
    expect(reseeded.dataset.tokenizer_hash).toBe(first.dataset.tokenizer_hash);
    expect(reseeded.windows.final.ids).not.toEqual(first.windows.final.ids);
    expect(reseeded.digest).not.toBe(first.digest);
    expect(reseeded.run_id).not.toBe(first.run_id);
    expect(reseeded.policy_digest).toBe(first.policy_digest);
    expect(reseeded.provenance.seeds.run).toBe(7);
    expect(reseeded.provenance.seeds.window_draw).not.toBe(first.provenance.seeds.window_draw);
  });
});
