/**
 * Evidence of the certify runner on the trained fixtures (issue "Guards, edits and the certify
 * runner" §4): a null edit, 8- and 2-bit RTN, a layer scaled by 1.5, a planted NaN, a LoRA with a
 * huge alpha and the quantized twins. Each case asserts the specific reason (verdict reason codes,
 * guard violation codes and modules, validation flags) and prints its numbers.
 *
 * Runs are shared: one certify per edit case, and one compare run for every given subject (the
 * baseline is evaluated once). The evaluation text is a WikiText-2 prefix, dev profile, 32/32 windows.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certify, type CertifyRun } from '../../../src/core/index.js';
import type { Certificate } from '../../../src/report/index.js';
import { GPT2, LORAS, MODELS, eventLog, removeDir, runConfig, tempDir, writeAdapterVariant, writePlantedModel, writeScaledModel } from './runner-fixtures.js';

const RUN_TIMEOUT = 180_000;

/** One line of numbers per case, for the lead's write-up. */
function report(label: string, cert: Certificate): void {
  const pm = cert.primary_metric;
  const guards = Object.fromEntries(
    (['invariants', 'spectral', 'rmt', 'variance'] as const).map((g) => [g, `${cert.guards[g].status}${cert.guards[g].violations.length > 0 ? `(${[...new Set(cert.guards[g].violations.map((v) => v.code))].join(',')})` : ''}`]),
  );
  console.log(
    `[certify-fixtures] ${label}: verdict=${cert.verdict.status} reasons=${cert.verdict.reasons.map((r) => `${r.gate}:${r.code}`).join(',') || '-'} ` +
      `ratio=${pm.ratio} ci=${JSON.stringify(pm.ratio_ci)} preview_ratio=${pm.preview_ratio} drift=${pm.drift} ` +
      `ppl base/subj final=${pm.baseline.final}/${pm.subject.final} guards=${JSON.stringify(guards)} ` +
      `ve=${JSON.stringify(cert.guards.variance.measurements === null ? cert.guards.variance.reason : { mode: cert.guards.variance.measurements.mode, enabled: cert.guards.variance.measurements.enabled, gate: cert.guards.variance.measurements.predictive_gate, delta_ci: cert.guards.variance.measurements.delta_ci })} ` +
      `overhead=${cert.guard_overhead.evaluated ? cert.guard_overhead.ratio : cert.guard_overhead.reason}`,
  );
}

function only(run: CertifyRun): Certificate {
  expect(run.subjects).toHaveLength(1);
  return run.subjects[0]!.certificate;
}

function subject(run: CertifyRun, label: string): Certificate {
  const found = run.subjects.find((s) => s.label === label);
  if (found === undefined) throw new Error(`no subject '${label}' in the run (${run.subjects.map((s) => s.label).join(', ')})`);
  return found.certificate;
}

function reasonsOf(cert: Certificate): string[] {
  return cert.verdict.reasons.map((r) => `${r.gate}:${r.code}`);
}

const editRun = (config: Readonly<Record<string, unknown>>, name: 'quant_rtn' | 'noop' = 'quant_rtn') =>
  certify(runConfig({ baseline: GPT2, edit: { name, config } }, `edit ${name}`), { cwd: process.cwd() });

describe('certify: noop edit on gpt2-tiny', () => {
  let cert: Certificate;
  beforeAll(async () => {
    cert = only(await editRun({}, 'noop'));
    report('noop', cert);
  }, RUN_TIMEOUT);

  it('passes with a ratio of exactly 1 and a degenerate CI [1, 1]', () => {
    expect(cert.verdict.status).toBe('pass');
    expect(cert.verdict.reasons).toEqual([]);
    expect(cert.primary_metric.ratio).toBe(1);
    expect(cert.primary_metric.ratio_ci).toEqual([1, 1]);
    expect(cert.primary_metric.delta_mean).toBe(0);
    expect(cert.primary_metric.ci_method).toBe('degenerate');
    expect(cert.primary_metric.preview_ratio).toBe(1);
    expect(cert.windows.final.delta.every((d) => d === 0)).toBe(true);
  });

  it('passes every weight and activation guard with no violation, each of them evaluated', () => {
    for (const g of ['invariants', 'spectral', 'rmt'] as const) {
      expect(cert.guards[g], g).toMatchObject({ status: 'pass', evaluated: true, violations: [] });
    }
    expect(cert.guards.spectral.measurements!.modules.every((m) => m.ratio === 1)).toBe(true);
    expect(cert.guards.spectral.measurements!.caps).toBe(0);
    // VE never gates the verdict; a null edit must not make it fail or warn
    expect(['pass', 'not_evaluated']).toContain(cert.guards.variance.status);
    expect(cert.guards.variance.violations).toEqual([]);
    expect(cert.validation).toEqual({
      primary_metric_acceptable: true,
      drift_acceptable: true,
      invariants_pass: true,
      spectral_stable: true,
      rmt_stable: true,
      guard_overhead_acceptable: null,
      pairing_ok: true,
      tail_acceptable: true,
    });
  });

  it('records the edit as noop with nothing changed and nothing rolled back', () => {
    expect(cert.change).toMatchObject({ kind: 'edit', name: 'noop', params_changed: 0, modules_touched: [], rolled_back: false });
  });

  it('runs the variance guard in edit mode for a built-in edit (ALGORITHMS.md §5 VE: "for built-in edits only")', () => {
    expect(cert.guards.variance.evaluated).toBe(true);
    expect(cert.guards.variance.measurements?.mode).toBe('edit');
    expect(cert.guards.variance.status).toBe('pass');
  });
});

describe('certify: quant_rtn 8-bit, scope all, on gpt2-tiny', () => {
  let cert: Certificate;
  beforeAll(async () => {
    cert = only(await editRun({ bits: 8, scope: 'all' }));
    report('quant_rtn 8-bit all', cert);
  }, RUN_TIMEOUT);

  it('passes with a ratio within 1 % of 1 and every gate acceptable', () => {
    expect(cert.verdict.status).toBe('pass');
    expect(cert.verdict.reasons).toEqual([]);
    expect(Math.abs(cert.primary_metric.ratio! - 1)).toBeLessThan(0.01);
    const [low, high] = cert.primary_metric.ratio_ci!;
    expect(low).toBeLessThanOrEqual(cert.primary_metric.ratio!);
    expect(high).toBeGreaterThanOrEqual(cert.primary_metric.ratio!);
    expect(high).toBeLessThan(1.01);
    for (const g of ['invariants', 'spectral', 'rmt'] as const) expect(cert.guards[g].status, g).toBe('pass');
  });

  it('touches every linear layer and the lm_head, and nothing is rolled back', () => {
    expect(cert.change.kind).toBe('edit');
    if (cert.change.kind !== 'edit') return;
    expect(cert.change.name).toBe('quant_rtn');
    expect(cert.change.config).toMatchObject({ bits: 8, scope: 'all' });
    expect(cert.change.modules_touched).toContain('lm_head');
    expect(cert.change.modules_touched.filter((m) => m.startsWith('transformer.h.'))).toHaveLength(12);
    expect(cert.change.rolled_back).toBe(false);
    expect(cert.change.params_changed).toBeGreaterThan(0);
  });

  it('runs the variance guard in edit mode (A/B gate) rather than monitor-only', () => {
    expect(cert.guards.variance.evaluated).toBe(true);
    expect(cert.guards.variance.measurements?.mode).toBe('edit');
    expect(cert.guards.variance.measurements?.predictive_gate).not.toBe('not_run');
  });
});

describe('certify: quant_rtn 2-bit, scope all, on gpt2-tiny', () => {
  let cert: Certificate;
  beforeAll(async () => {
    cert = only(await editRun({ bits: 2, scope: 'all' }));
    report('quant_rtn 2-bit all', cert);
    const spectral = cert.guards.spectral;
    console.log(
      `[certify-fixtures] quant_rtn 2-bit all: spectral caps=${spectral.measurements?.caps} fatal=${spectral.measurements?.fatal} ` +
        `violations=${JSON.stringify(spectral.violations.map((v) => [v.code, v.severity, v.module, v.value]))} rmt=${JSON.stringify(cert.guards.rmt.violations.map((v) => [v.code, v.family, v.value, v.threshold]))}`,
    );
  }, RUN_TIMEOUT);

  // On the 800-step gpt2-tiny, 2-bit RTN on every layer multiplies perplexity by about 5 on the preview
  // arm: the run stops there (catastrophe), and the spectral guard fails on its own.
  // spectral is advisory in the balanced tier (contracts/tiers.json, bench/calibration/THRESHOLDS.md): it still fails, reported, not gating
  it('fails: the catastrophe check stops the run after the preview arm, and spectral fails too', () => {
    expect(cert.verdict.status).toBe('fail');
    expect(reasonsOf(cert)).toEqual(expect.arrayContaining(['catastrophe:catastrophic_ppl_spike', 'spectral:guard_advisory']));
    expect(cert.primary_metric.preview_ratio!).toBeGreaterThan(cert.policy.thresholds.catastrophe_ratio);
    expect(cert.windows.final.ids).toEqual([]);
    expect(cert.change.kind === 'edit' && cert.change.rolled_back).toBe(true);
    expect(cert.validation.spectral_stable).toBe(false);
    expect(cert.validation.invariants_pass).toBe(true);
  });

  it('spectral: σmax changes beyond the deadband and a fatal norm collapse', () => {
    const spectral = cert.guards.spectral;
    expect(spectral.status).toBe('fail');
    const codes = new Set(spectral.violations.map((v) => v.code));
    expect(codes.has('spectral_ratio')).toBe(true);
    const fatal = spectral.violations.filter((v) => v.severity === 'fatal');
    expect(fatal.map((v) => v.code)).toContain('norm_collapse');
    for (const v of spectral.violations.filter((x) => x.code === 'spectral_ratio')) {
      expect(v.value!).toBeGreaterThan(cert.policy.thresholds.spectral.deadband);
    }
  });

  it('rmt: not measured once the preview arm was catastrophic, and says why', () => {
    const rmt = cert.guards.rmt;
    expect(rmt.status).toBe('not_evaluated');
    expect(rmt.evaluated).toBe(false);
    expect(rmt.reason).toMatch(/catastroph/);
  });

  it('has no final ratio: nothing is gated on a model that was stopped', () => {
    expect(cert.primary_metric.ratio).toBeNull();
    expect(cert.validation.primary_metric_acceptable).not.toBe(true);
  });
});

describe('certify: compare mode with derived subjects and the quantized twins', () => {
  const tmp = tempDir('fixtures-compare');
  const twins = ['int8-qdq', 'int8-dynamic', 'int4', 'fp16'] as const;
  const formats: Readonly<Record<(typeof twins)[number], string>> = {
    'int8-qdq': 'qdq_int8',
    'int8-dynamic': 'dynamic_int8',
    int4: 'matmulnbits',
    fp16: 'float16',
  };
  const log = eventLog();
  let run: CertifyRun;
  beforeAll(async () => {
    const scaled = writeScaledModel(join(tmp, 'scaled'), 'transformer.h.1.mlp.c_fc.weight', 1.5);
    const hugeAlpha = writeAdapterVariant(join(LORAS, 'gpt2-tiny-lora'), join(tmp, 'lora-huge-alpha'), { lora_alpha: 8000 });
    // seq_len 128 (the default): with 8 calibration windows of 64 tokens the RMT edge ratio of the
    // int4 twin moves by 1.4 % (> epsilon 1 %); see the report for that finding
    const config = runConfig(
      {
        baseline: GPT2,
        subjects: [{ label: 'scaled', model: scaled }, ...twins.map((t) => ({ label: t, model: join(MODELS, `gpt2-tiny-${t}`) }))],
        subject_lora: [
          { label: 'lora-fixture', path: join(LORAS, 'gpt2-tiny-lora') },
          { label: 'lora-huge-alpha', path: hugeAlpha },
        ],
        dataset: { seq_len: 128 },
      },
      'compare',
    );
    run = await certify(config, { cwd: process.cwd(), onEvent: log.onEvent });
    for (const s of run.subjects) report(s.label, s.certificate);
  }, RUN_TIMEOUT);
  afterAll(() => removeDir(tmp));

  it('certifies every subject against one baseline evaluation', () => {
    expect(run.subjects.map((s) => s.label)).toEqual(['scaled', ...twins, 'lora-fixture', 'lora-huge-alpha']);
    // the huge-alpha LoRA stops after its preview arm; every other subject pairs with the same final losses
    const baselineFinal = run.subjects.filter((s) => s.certificate.windows.final.ids.length > 0).map((s) => JSON.stringify(s.certificate.windows.final.baseline));
    expect(baselineFinal).toHaveLength(run.subjects.length - 1);
    expect(new Set(baselineFinal).size).toBe(1);
    expect(new Set(run.subjects.map((s) => JSON.stringify(s.certificate.windows.preview.baseline))).size).toBe(1);
    const baselineBatches = log.events.filter((e) => e.type === 'batch' && e.model === 'baseline' && e.arm === 'final');
    expect(new Set(baselineBatches.map((e) => (e.type === 'batch' ? e.subject : 'x')))).toEqual(new Set([null]));
  });

  it('one layer scaled by 1.5 is caught by spectral: a spectral_ratio violation on exactly that module', () => {
    const cert = subject(run, 'scaled');
    const spectral = cert.guards.spectral;
    expect(spectral.violations).toEqual([
      expect.objectContaining({ code: 'spectral_ratio', severity: 'warning', module: 'transformer.h.1.mlp.c_fc', family: 'ffn', threshold: cert.policy.thresholds.spectral.deadband }),
    ]);
    expect(spectral.violations[0]!.value!).toBeCloseTo(0.5, 5);
    const module = spectral.measurements!.modules.find((m) => m.module === 'transformer.h.1.mlp.c_fc')!;
    expect(module.ratio!).toBeCloseTo(1.5, 5);
    expect(spectral.measurements!.modules.filter((m) => m.module !== 'transformer.h.1.mlp.c_fc').every((m) => m.ratio === 1)).toBe(true);
    expect(spectral.measurements!.caps).toBe(1);
    // one cap is within the tier's budget: a finding (warn), not instability
    expect(spectral.status).toBe('warn');
    expect(cert.validation.spectral_stable).toBe(true);
    expect(reasonsOf(cert)).toContain('spectral:guard_warned');
  });

  it('one layer scaled by 1.5 also fails the activation RMT of its family, reported as advisory (RMT does not gate in balanced)', () => {
    const cert = subject(run, 'scaled');
    expect(cert.guards.invariants.status).toBe('pass');
    expect(cert.guards.rmt.status).toBe('fail');
    expect(cert.guards.rmt.violations.map((v) => v.code)).toContain('rmt_growth');
    expect(cert.guards.rmt.violations[0]!.family).toBe('ffn');
    expect(reasonsOf(cert)).toContain('rmt:guard_advisory');
    expect(reasonsOf(cert)).not.toContain('rmt:guard_failed');
    // the verdict is the primary metric's: fail exactly when its upper bound is above the limit
    expect(cert.verdict.status).toBe(cert.validation.primary_metric_acceptable === false ? 'fail' : 'warn');
    expect(cert.change).toMatchObject({ kind: 'compare', label: 'scaled' });
  });

  it.each(twins)('the %s twin passes or warns (never fails) with a ratio within 5 % of 1', (twin) => {
    const cert = subject(run, twin);
    expect(['pass', 'warn']).toContain(cert.verdict.status);
    expect(Math.abs(cert.primary_metric.ratio! - 1)).toBeLessThan(0.05);
    expect(cert.primary_metric.ratio_ci![1]).toBeLessThan(1.05);
    // an advisory guard's own flag may be false; every gating check must hold
    for (const [flag, value] of Object.entries(cert.validation)) if (flag !== 'rmt_stable' && flag !== 'spectral_stable') expect(value, flag).not.toBe(false);
    for (const reason of cert.verdict.reasons) expect(['guard_warned', 'guard_advisory'], `${reason.gate}: ${reason.message}`).toContain(reason.code);
    expect(cert.models.subject.quantization_formats.map((f) => f.replace(/_int4$/, ''))).toContain(formats[twin]);
    expect(cert.models.baseline.quantization_formats).toEqual(['float32']);
  });

  it('the fixture LoRA (alpha 8, r 4) merged into the baseline passes', () => {
    const cert = subject(run, 'lora-fixture');
    expect(cert.verdict.status).toBe('pass');
    expect(Math.abs(cert.primary_metric.ratio! - 1)).toBeLessThan(0.02);
    expect(cert.models.subject.lora_adapters).toEqual([expect.objectContaining({ rank: 4, alpha: 8, weight: 1 })]);
    expect(cert.change.kind).toBe('compare');
    expect(cert.change.modules_touched).toHaveLength(9);
  });

  it('a LoRA with a huge alpha fails: catastrophic preview spike (final arm skipped) and spectral instability', () => {
    const cert = subject(run, 'lora-huge-alpha');
    expect(cert.verdict.status).toBe('fail');
    expect(cert.models.subject.lora_adapters).toEqual([expect.objectContaining({ rank: 4, alpha: 8000 })]);
    expect(cert.primary_metric.preview_ratio!).toBeGreaterThan(cert.policy.thresholds.catastrophe_ratio);
    expect(reasonsOf(cert)).toEqual(expect.arrayContaining(['catastrophe:catastrophic_ppl_spike', 'spectral:guard_advisory']));
    expect(cert.primary_metric.ratio).toBeNull();
    expect(cert.windows.final.ids).toEqual([]);
    expect(cert.validation.spectral_stable).toBe(false);
    const ratios = cert.guards.spectral.violations.filter((v) => v.code === 'spectral_ratio');
    expect(ratios.length).toBeGreaterThan(cert.policy.thresholds.spectral.max_caps);
    expect(Math.max(...ratios.map((v) => v.value!))).toBeGreaterThan(10);
    // activations were not measured after the spike: RMT says why instead of passing vacuously
    expect(cert.guards.rmt).toMatchObject({ status: 'not_evaluated', evaluated: false });
    expect(log.events).toContainEqual(expect.objectContaining({ type: 'warning', id: 'catastrophic_ppl_spike' }));
  });
});

describe('certify: a NaN planted in one weight', () => {
  const tmp = tempDir('fixtures-nan');
  let outcome: { run: CertifyRun } | { error: unknown };
  beforeAll(async () => {
    const planted = writePlantedModel(join(tmp, 'nan'), 'transformer.h.1.mlp.c_fc.weight', 17, Number.NaN);
    try {
      outcome = { run: await certify(runConfig({ baseline: GPT2, subjects: [{ label: 'nan', model: planted }] }, 'nan'), { cwd: process.cwd() }) };
    } catch (error) {
      outcome = { error };
      console.log(`[certify-fixtures] nan: certify threw ${String((error as { code?: string }).code)}: ${(error as Error).message}`);
    }
  }, RUN_TIMEOUT);
  afterAll(() => removeDir(tmp));

  it('is fatal in the invariants guard (nonfinite_weights on that module) and fails the verdict', () => {
    if ('error' in outcome) throw outcome.error;
    const cert = only(outcome.run);
    report('nan', cert);
    expect(cert.guards.invariants.status).toBe('fail');
    expect(cert.guards.invariants.violations).toContainEqual(
      expect.objectContaining({ code: 'nonfinite_weights', severity: 'fatal', module: 'transformer.h.1.mlp.c_fc' }),
    );
    expect(cert.guards.invariants.measurements?.nonfinite_weights).toBe(1);
    expect(cert.validation.invariants_pass).toBe(false);
    expect(cert.verdict.status).toBe('fail');
    expect(cert.verdict.reasons.map((r) => r.gate)).toContain('invariants');
  });
});
