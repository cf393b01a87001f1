/**
 * Issue #11 "Done when": every export pattern the fixtures reproduce (TorchScript without module
 * scopes, dynamo-style naming, onnxruntime-fused GPT-2, an architecture without a bundled
 * interface) certifies against itself (ratio exactly 1, CI [1, 1], every guard evaluated on each
 * block) and against its quantized twins (int8 passes, 2-bit fails); a TorchScript baseline pairs
 * with the other exporters' graphs of the same weights. One compare run per pattern: the baseline
 * is evaluated once for all its subjects.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { certify, type CertifyRun } from '../../../src/core/index.js';
import type { Certificate } from '../../../src/report/index.js';
import { GPT2, MODELS, runConfig } from './runner-fixtures.js';

const RUN_TIMEOUT = 600_000;

interface Pattern {
  readonly base: string;
  readonly int8: string;
  readonly int2: string;
  readonly provenance: 'bundled' | 'inferred';
  readonly naming: string;
  /** Spectral modules per family: every block's attention and MLP projections. */
  readonly attn: number;
  readonly ffn: number;
  /** Routed experts' projections (a mixture-of-experts model), 0 elsewhere. */
  readonly experts?: number;
}

const PATTERNS: readonly Pattern[] = [
  { base: 'gpt2-noscope', int8: 'gpt2-noscope-int8-qdq', int2: 'gpt2-noscope-int2', provenance: 'bundled', naming: 'scope', attn: 6, ffn: 6 },
  { base: 'gpt2-dynamo', int8: 'gpt2-dynamo-int8-qdq', int2: 'gpt2-dynamo-int2', provenance: 'bundled', naming: 'metadata', attn: 6, ffn: 6 },
  { base: 'gpt2-fused', int8: 'gpt2-fused-int8-qdq', int2: 'gpt2-fused-int2', provenance: 'bundled', naming: 'position', attn: 6, ffn: 6 },
  { base: 'llama-dynamo', int8: 'llama-dynamo-int8-qdq', int2: 'llama-dynamo-int2', provenance: 'bundled', naming: 'parameter', attn: 12, ffn: 9 },
  { base: 'llama-genai', int8: 'llama-genai-int8', int2: 'llama-genai-int2', provenance: 'bundled', naming: 'parameter', attn: 12, ffn: 9 },
  { base: 'mixtral-tiny', int8: 'mixtral-tiny-int8-qdq', int2: 'mixtral-tiny-int2', provenance: 'bundled', naming: 'scope', attn: 8, ffn: 0, experts: 24 },
  { base: 'unknown-arch', int8: 'unknown-arch-int8-qdq', int2: 'unknown-arch-int2', provenance: 'inferred', naming: 'position', attn: 6, ffn: 6 },
];

function subject(run: CertifyRun, label: string): Certificate {
  const found = run.subjects.find((s) => s.label === label);
  if (found === undefined) throw new Error(`no subject '${label}' in the run (${run.subjects.map((s) => s.label).join(', ')})`);
  return found.certificate;
}

/** A model against itself: pass, ratio exactly 1, CI [1, 1], every weight guard passing, `attn` and `ffn` spectral modules counted. */
function expectSelfCertified(cert: Certificate, counts: { readonly attn: number; readonly ffn: number }): void {
  expect(cert.verdict.status).toBe('pass');
  expect(cert.primary_metric.ratio).toBe(1);
  expect(cert.primary_metric.ratio_ci).toEqual([1, 1]);
  for (const g of ['invariants', 'spectral', 'rmt'] as const) expect(cert.guards[g], g).toMatchObject({ status: 'pass', evaluated: true, violations: [] });
  // 3 blocks × (qkv, o | q, k, v, o) and (up, down | gate, up, down): both families measured in every block
  const modules = cert.guards.spectral.measurements!.modules;
  expect(modules.filter((m) => m.family === 'attn')).toHaveLength(counts.attn);
  expect(modules.filter((m) => m.family === 'ffn')).toHaveLength(counts.ffn);
}

function summary(label: string, cert: Certificate): string {
  const pm = cert.primary_metric;
  const guards = (['invariants', 'spectral', 'rmt'] as const).map((g) => `${g}=${cert.guards[g].status}`).join(' ');
  return `[certify-exports] ${label}: verdict=${cert.verdict.status} ratio=${pm.ratio} ci=${JSON.stringify(pm.ratio_ci)} ${guards} interface=${cert.models.subject.interface?.provenance}/${cert.models.subject.interface?.naming}`;
}

describe.each(PATTERNS)('certify the $base export pattern', (pattern) => {
  let run: CertifyRun;
  beforeAll(async () => {
    const subjects = [
      { label: 'self', model: join(MODELS, pattern.base) },
      { label: 'int8', model: join(MODELS, pattern.int8) },
      { label: 'int2', model: join(MODELS, pattern.int2) },
    ];
    run = await certify(runConfig({ baseline: join(MODELS, pattern.base), subjects }, pattern.base), { cwd: process.cwd() });
    for (const s of run.subjects) console.log(summary(`${pattern.base} vs ${s.label}`, s.certificate));
  }, RUN_TIMEOUT);

  it('against itself: ratio exactly 1, CI [1, 1], every weight guard evaluated and passing on every block', () => {
    const cert = subject(run, 'self');
    expectSelfCertified(cert, pattern);
    const modules = cert.guards.spectral.measurements!.modules;
    // A MoE: every expert's gate, up and down in every block, as one family; RMT taps each expert's output.
    expect(modules.filter((m) => m.family === 'experts')).toHaveLength(pattern.experts ?? 0);
    if ((pattern.experts ?? 0) > 0) {
      expect(cert.guards.spectral.measurements!.families.find((f) => f.family === 'experts')).toMatchObject({ modules: pattern.experts, violations: 0 });
      expect(cert.guards.rmt.measurements!.modules.filter((m) => m.family === 'experts')).toHaveLength(pattern.experts!);
      expect(cert.guards.rmt.measurements!.families.map((f) => f.family)).toContain('experts');
    }
    expect(cert.models.baseline.interface).toMatchObject({ provenance: pattern.provenance, naming: pattern.naming });
    const warnings = cert.models.subject.interface!.warnings.map((w) => w.code);
    expect(warnings).toEqual(pattern.provenance === 'inferred' ? ['interface_inferred'] : []);
  });

  it('against its int8 twin: passes every gate plainly (a tied lm_head quantized apart from its float embedding, within int8 rounding, keeps the tie)', () => {
    const cert = subject(run, 'int8');
    expect(cert.verdict.status).toBe('pass');
    expect(cert.verdict.reasons).toEqual([]);
    for (const [flag, value] of Object.entries(cert.validation)) expect(value, flag).not.toBe(false);
    const tied = cert.guards.invariants.measurements!.weights_tied;
    expect(tied.subject).toBe(tied.baseline);
    expect(Math.abs(cert.primary_metric.ratio! - 1)).toBeLessThan(0.01);
  });

  it('against its 2-bit twin: fails on the primary metric', () => {
    const cert = subject(run, 'int2');
    expect(cert.verdict.status).toBe('fail');
    expect(cert.validation.primary_metric_acceptable).toBe(false);
  });
});

describe('a TorchScript Llama pairs with its dynamo and genai-builder exports', () => {
  let run: CertifyRun;
  const others = ['llama-dynamo', 'llama-genai', 'llama-genai-int4'] as const;
  beforeAll(async () => {
    run = await certify(runConfig({ baseline: join(MODELS, 'llama-ts'), subjects: others.map((label) => ({ label, model: join(MODELS, label) })) }, 'cross-exporter llama'), { cwd: process.cwd() });
    for (const s of run.subjects) console.log(summary(`llama-ts vs ${s.label}`, s.certificate));
  }, RUN_TIMEOUT);

  it.each(others)('llama-ts vs %s: every weight paired and every gate passed', (label) => {
    const cert = subject(run, label);
    expect(cert.validation.pairing_ok).toBe(true);
    for (const [flag, value] of Object.entries(cert.validation)) expect(value, flag).not.toBe(false);
    const modules = cert.guards.spectral.measurements!.modules;
    expect(modules.filter((m) => m.family === 'attn' || m.family === 'ffn')).toHaveLength(21);
  });
});

describe.each(['gpt2-mha', 'gpt2-biasgelu'])('the %s contrib-op graph certifies against itself', (name) => {
  let run: CertifyRun;
  beforeAll(async () => {
    run = await certify(runConfig({ baseline: join(MODELS, name), subjects: [{ label: 'self', model: join(MODELS, name) }] }, name), { cwd: process.cwd() });
    for (const s of run.subjects) console.log(summary(`${name} vs ${s.label}`, s.certificate));
  }, RUN_TIMEOUT);

  it('ratio exactly 1, CI [1, 1], every weight guard evaluated and passing, qkv and MLP measured in each of the 3 blocks', () => {
    expectSelfCertified(subject(run, 'self'), { attn: 6, ffn: 6 });
  });
});

describe('a TorchScript baseline pairs with other exporters of the same weights', () => {
  let run: CertifyRun;
  const others = ['gpt2-noscope', 'gpt2-dynamo', 'gpt2-fused', 'gpt2-ortopt', 'gpt2-mha', 'gpt2-biasgelu'] as const;
  beforeAll(async () => {
    run = await certify(runConfig({ baseline: GPT2, subjects: others.map((label) => ({ label, model: join(MODELS, label) })) }, 'cross-exporter'), { cwd: process.cwd() });
    for (const s of run.subjects) console.log(summary(`gpt2-tiny vs ${s.label}`, s.certificate));
  }, RUN_TIMEOUT);

  it.each(others)('gpt2-tiny vs %s: every weight paired, every guard passing, the same perplexity within float rounding', (label) => {
    const cert = subject(run, label);
    expect(cert.verdict.status).toBe('pass');
    expect(cert.validation.pairing_ok).toBe(true);
    for (const g of ['invariants', 'spectral'] as const) expect(cert.guards[g], g).toMatchObject({ status: 'pass', evaluated: true, violations: [] });
    const modules = cert.guards.spectral.measurements!.modules;
    expect(modules.filter((m) => m.family === 'attn' || m.family === 'ffn')).toHaveLength(12);
    expect(Math.abs(cert.primary_metric.ratio! - 1)).toBeLessThan(1e-3);
  });
});
