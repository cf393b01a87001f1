import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphFiles, loadModel, readWeights, weightReplacements, type LoadedModel } from '../../../src/adapters/index.js';
import { resolvePolicy } from '../../../src/core/policy/index.js';
import type { Policy } from '../../../src/core/policy/index.js';
import type { RunEvent } from '../../../src/core/events/index.js';
import {
  runVarianceStage,
  variancePolicyOf,
  veBootstrapCiOf,
  veScaleWindowsOf,
  veTapsOf,
  type VarianceStageInput,
} from '../../../src/core/runner/variance-stage.js';
import { applyEdit, resolveQuantRtnConfig, type WeightMatrix } from '../../../src/edits/index.js';
import {
  buildWindowPlan,
  createScorer,
  filterDocuments,
  maskWindow,
  splitWikitextArticles,
  type EvalWindow,
  type ScoringModel,
  type WindowLosses,
} from '../../../src/eval/index.js';
import { createPrng, decideGuardOverheadGate, pairedBootstrap } from '../../../src/stats/index.js';
import { applyVeScales, restoreVeScales, veScaleWindowCount } from '../../../src/guards/index.js';
import { readTensorFloat32 } from '../../../src/onnx/index.js';

const MODELS = resolve(import.meta.dirname, '../../fixtures/models');
const MODEL_DIR = resolve(MODELS, 'gpt2-tiny');
const WIKITEXT_VALID = resolve(import.meta.dirname, '../../fixtures/data/wikitext-2/valid-200k.txt');
/** Enough WikiText-2 articles for 24 + 8 windows of 128 tokens from a wide candidate pool, tokenized in well under a second. */
const TEXT_CHARS = 150_000;
const THREADS = 1;

interface Fixture {
  readonly model: LoadedModel;
  readonly matrices: readonly WeightMatrix[];
  readonly preview: readonly EvalWindow[];
  readonly final: readonly EvalWindow[];
}

interface Subject {
  readonly weights: readonly WeightMatrix[];
  readonly edited: ReadonlyMap<string, Float32Array>;
  readonly scoring: ScoringModel;
  readonly previewLosses: WindowLosses;
}

let fixture: Fixture;
let documents: readonly string[];
const subjects = new Map<number, Promise<Subject>>();

beforeAll(async () => {
  const model = await loadModel(MODEL_DIR, { tokenizer: 'required' });
  const tokenizer = model.tokenizer!;
  const all = filterDocuments(splitWikitextArticles(readFileSync(WIKITEXT_VALID, 'utf8')).documents, 'none').kept;
  const used: string[] = [];
  let chars = 0;
  for (const doc of all) {
    used.push(doc);
    chars += doc.length;
    if (chars > TEXT_CHARS) break;
  }
  documents = used;
  const prng = createPrng(7);
  const plan = buildWindowPlan(
    used,
    { encode: (text) => tokenizer.encode(text, { specialTokens: 'skip' }), decode: (ids) => tokenizer.decode(ids) },
    { seqLen: 128, previewN: 24, finalN: 8, objective: 'causal', separatorId: tokenizer.specialTokens.eos ?? null, rand: () => prng.nextFloat(), tokenizerHash: tokenizer.hash },
  );
  fixture = { model, matrices: readWeights(model), preview: plan.preview, final: plan.final };
});

/** The fixture edited by quant_rtn (ffn scope) at `bits`, written like the runner does, with its preview losses. */
function subjectOf(bits: number): Promise<Subject> {
  const cached = subjects.get(bits);
  if (cached !== undefined) return cached;
  const built = (async (): Promise<Subject> => {
    const edit = applyEdit({ name: 'quant_rtn', config: resolveQuantRtnConfig({ bits, scope: 'ffn' }) }, fixture.matrices);
    const source = `gpt2-tiny + quant_rtn ${bits}`;
    const scoring: ScoringModel = { source, index: fixture.model.graph.index, io: fixture.model.graph.io, files: graphFiles(fixture.model.graph), replace: weightReplacements(fixture.model, edit.changed).main };
    const scorer = await createScorer(scoring, { device: 'cpu', threads: THREADS, head: 'token-logprobs' });
    try {
      const previewLosses = await scorer.scoreCausal(fixture.preview, { batchSize: 8 });
      const weights = fixture.matrices.map((m) => ({ ...m, data: edit.changed.get(m.key) ?? m.data }));
      return { weights, edited: edit.changed, scoring, previewLosses };
    } finally {
      await scorer.release();
    }
  })();
  subjects.set(bits, built);
  return built;
}

function stageInput(subject: Subject, policy: Policy, extra: Partial<VarianceStageInput> = {}): VarianceStageInput {
  return {
    policy,
    seed: 3007,
    model: fixture.model,
    weights: subject.weights,
    edited: subject.edited,
    subject: subject.scoring,
    preview: { objective: 'causal', windows: fixture.preview },
    previewLosses: subject.previewLosses,
    session: { device: 'cpu', threads: THREADS },
    progress: { subject: 'quant_rtn', onEvent: () => {}, batchSize: 8, signal: undefined },
    ...extra,
  };
}

const balanced = (): Policy => resolvePolicy({ tier: 'balanced', profile: 'dev' });

/** Every weight initializer of the fixture whose stored values differ between two written models. */
/** A tensor as the scoring model's session sees it: its replacement (fp32 fixture) or the file's data. */
function tensorOf(model: ScoringModel, name: string): Float32Array {
  const edit = model.replace?.find((e) => (typeof e.tensor === 'string' ? e.tensor : e.tensor.name) === name);
  if (edit === undefined) return readTensorFloat32(model.index, name, model.files.data);
  return new Float32Array(edit.payload.buffer.slice(edit.payload.byteOffset, edit.payload.byteOffset + edit.payload.byteLength));
}

function changedInitializers(a: ScoringModel, b: ScoringModel): string[] {
  return fixture.model.weights
    .map((w) => w.initializers[0]!)
    .filter((name) => {
      const x = tensorOf(a, name);
      const y = tensorOf(b, name);
      return x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]));
    });
}

describe('variancePolicyOf / veScaleWindowsOf', () => {
  it('maps the tier tables of ALGORITHMS.md §8 onto the guards policy, with the run seed and the gate α', () => {
    const b = variancePolicyOf(balanced(), 3007);
    expect(b).toMatchObject({ scope: 'ffn', maxCalib: 200, abWindows: 8, minCoverage: 6, seed: 3007, clamp: [0.85, 1.12], deadband: 0.02, minAbsAdjust: 0.012, maxScaleStep: 0.03 });
    expect(b).toMatchObject({ topkBackstop: 1, maxAdjustedModules: 1, minGain: 0, minRelGain: 0.001, minAbsGain: 0.05, tieBreakerDeadband: 0.001, minEffectLognll: 0, sidedness: 'one_sided', replicates: 500, alpha: 0.05 });
    const a = variancePolicyOf(resolvePolicy({ tier: 'aggressive', profile: 'dev' }), 1);
    expect(a).toMatchObject({ scope: 'ffn_attn_out', clamp: [0.3, 3], abWindows: 6, minCoverage: 4, minEffectLognll: 0.033, sidedness: 'two_sided' });
  });

  it('counts the scale windows like the guards layer for every tier (20 / 16 / 24)', () => {
    const counts = (['balanced', 'conservative', 'aggressive'] as const).map((tier) => {
      const policy = resolvePolicy({ tier, profile: 'dev' });
      return [veScaleWindowsOf(policy), veScaleWindowCount(variancePolicyOf(policy, 0))];
    });
    expect(counts).toEqual([
      [20, 20],
      [16, 16],
      [24, 24],
    ]);
  });
});

describe('veBootstrapCiOf', () => {
  it('is the paired weighted BCa bootstrap of src/eval with the policy method and z0 clip', () => {
    const fin = [3.1, 3.25, 2.9, 3.4, 3.05, 3.3, 2.95, 3.2];
    const base = [3.0, 3.2, 2.95, 3.3, 3.0, 3.1, 2.9, 3.15];
    const deltas = fin.map((f, i) => f - base[i]!);
    const weights = [100, 200, 150, 120, 80, 300, 90, 110];
    const ci = veBootstrapCiOf(balanced())(deltas, weights, { replicates: 1000, alpha: 0.05, seed: 123 });
    const direct = pairedBootstrap({ values: deltas, weights, replicates: 1000, alpha: 0.05, seed: 123, method: 'bca', z0Clip: 1e-6 });
    expect(ci).toEqual({ low: direct.low, high: direct.high });
    expect(ci.low).toBeLessThan(0.0856521739);
    expect(ci.high).toBeGreaterThan(0.0856521739);
  });

  it('returns [NaN, NaN] for a non-finite Δ instead of throwing, so the gate reads it as not below zero', () => {
    const ci = veBootstrapCiOf(balanced())([-0.1, Number.NaN, -0.2], [1, 1, 1], { replicates: 100, alpha: 0.05, seed: 1 });
    expect(Number.isNaN(ci.low) && Number.isNaN(ci.high)).toBe(true);
  });
});

describe('veTapsOf', () => {
  it('taps the MatMul output of every MLP down projection (balanced) and the attention output projections too (aggressive)', () => {
    const ffn = veTapsOf(fixture.model, fixture.matrices, balanced());
    expect(ffn.map((t) => [t.key, t.role, t.value])).toEqual([0, 1, 2].map((l) => [`transformer.h.${l}.mlp.c_proj`, 'down', `/transformer/h.${l}/mlp/c_proj/MatMul_output_0`]));
    const both = veTapsOf(fixture.model, fixture.matrices, resolvePolicy({ tier: 'aggressive', profile: 'dev' }));
    expect(both.map((t) => t.key)).toEqual([0, 1, 2].flatMap((l) => [`transformer.h.${l}.attn.c_proj`, `transformer.h.${l}.mlp.c_proj`]));
  });
});

describe('runVarianceStage on gpt2-tiny + quant_rtn', () => {
  it('8-bit, balanced: proposes one 1.03 scale, the A/B shows no real gain, so VE stays off and nothing changes', async () => {
    const events: RunEvent[] = [];
    const result = await runVarianceStage(stageInput(await subjectOf(8), balanced(), { progress: { subject: 'quant_rtn', onEvent: (e) => events.push(e), batchSize: 8, signal: undefined } }));
    expect(result.proposal.taps.map((t) => t.status)).toEqual(['adjusted', 'capped', 'capped']);
    expect(result.gate).toMatchObject({ windows: 8 });
    const reasons = result.decision!.reasons;
    expect(result.decision!.isEnabled).toBe(false);
    // an 8-bit edit leaves nothing for VE to repair: the gain is below every enable threshold
    expect(reasons).toEqual(expect.arrayContaining(['rel_gain_too_small', 'tie_within_deadband']));
    expect(Math.abs(result.decision!.relGain!)).toBeLessThan(0.001);
    expect(result.blocks).toMatchObject({ status: 'pass', evaluated: true, reason: `not_enabled: ${reasons.join(', ')}`, violations: [] });
    expect(result.blocks.measurements).toMatchObject({ mode: 'edit', enabled: false, ab_windows: 8, predictive_gate: result.gate!.status, scales: [{ module: 'transformer.h.0.mlp.c_proj', scale: 1.03 }] });
    expect(result.overhead).toEqual({ evaluated: false, reason: `variance guard not enabled (${reasons.join(', ')})` });
    expect([result.guardedScoringModel, result.guardedScorer, result.guardedWeights, result.guardedPreview, result.overheadCheck]).toEqual([null, null, null, null, null]);
    expect(result.scales.size).toBe(0);
    // 20 capture windows, then the 8 A/B windows
    expect(events.filter((e) => e.type === 'batch' && e.arm === 'calibration').map((e) => (e.type === 'batch' ? e.total : 0))).toEqual([...Array<number>(20).fill(20), 8]);
  });

  it('2-bit, balanced: VE is enabled; the guarded model differs from the subject exactly in the scaled down projection, α·W bit for bit', async () => {
    const subject = await subjectOf(2);
    const result = await runVarianceStage(stageInput(subject, balanced(), { guardedSession: 'keep' }));
    try {
      expect(result.decision).toMatchObject({ isEnabled: true, reasons: [] });
      expect(result.decision!.relGain!).toBeGreaterThanOrEqual(0.001);
      expect(result.decision!.absGain!).toBeGreaterThanOrEqual(0.05);
      expect(result.blocks).toMatchObject({ status: 'pass', evaluated: true, reason: null });
      expect(result.blocks.measurements).toMatchObject({ enabled: true, ab_windows: 8, predictive_gate: 'pass', scales: [{ module: 'transformer.h.0.mlp.c_proj', scale: 1.03 }] });
      expect([...result.scales]).toEqual([['transformer.h.0.mlp.c_proj', 1.03]]);

      const guarded = result.guardedScoringModel!;
      expect(changedInitializers(subject.scoring, guarded)).toEqual([fixture.model.weights.find((w) => w.key === 'transformer.h.0.mlp.c_proj')!.initializers[0]]);
      const name = fixture.model.weights.find((w) => w.key === 'transformer.h.0.mlp.c_proj')!.initializers[0]!;
      const before = tensorOf(subject.scoring, name);
      const after = tensorOf(guarded, name);
      expect(after.every((v, i) => v === Math.fround(1.03 * before[i]!))).toBe(true);
      const scaled = result.guardedWeights!.filter((w, i) => w.data !== subject.weights[i]!.data).map((w) => w.key);
      expect(scaled).toEqual(['transformer.h.0.mlp.c_proj']);
      // neither the loaded baseline nor the subject's weights were touched (copy mode)
      const [loaded] = readWeights(fixture.model, ['transformer.h.0.mlp.c_proj']);
      expect(sameBits(loaded!.data, fixture.matrices.find((m) => m.key === 'transformer.h.0.mlp.c_proj')!.data)).toBe(true);
      expect(subject.weights.find((w) => w.key === 'transformer.h.0.mlp.c_proj')!.data).toBe(subject.edited.get('transformer.h.0.mlp.c_proj'));

      // guard overhead: both perplexities over the whole preview arm
      expect(result.guardedPreview!.ids).toEqual(fixture.preview.map((w) => w.id));
      const ppl = (l: WindowLosses) => Math.exp(l.loss.reduce((s, x, i) => s + x * l.weight[i]!, 0) / l.weight.reduce((s, w) => s + w, 0));
      expect(result.overhead).toEqual({ evaluated: true, bare: ppl(subject.previewLosses), guarded: ppl(result.guardedPreview!) });
      const check = result.overheadCheck!;
      expect(check.ratio).toBeCloseTo(ppl(result.guardedPreview!) / ppl(subject.previewLosses), 12);
      expect(check.ratio).toBeLessThan(1);
      expect(check).toMatchObject({ maxRatio: 1.01, isWithinLimit: true });
      const gate = decideGuardOverheadGate({ guardedPpl: ppl(result.guardedPreview!), barePpl: ppl(subject.previewLosses), thresholds: balanced().thresholds });
      expect(gate.status).toBe('pass');

      // the kept session is the guarded model: it scores the final arm
      const final = await result.guardedScorer!.scoreCausal(fixture.final, { batchSize: 8 });
      expect(final.ids).toEqual(fixture.final.map((w) => w.id));
      expect(final.loss.every(Number.isFinite)).toBe(true);
    } finally {
      await result.guardedScorer?.release();
    }
  });

  it('flags a guard overhead above the policy limit (limit overridden to 0.99 < the measured ratio)', async () => {
    const policy = resolvePolicy({ tier: 'balanced', profile: 'dev', overrides: { thresholds: { guard_overhead: { limit: 0.99 } } } });
    const result = await runVarianceStage(stageInput(await subjectOf(2), policy));
    expect(result.guardedScorer).toBeNull();
    expect(result.overhead.evaluated).toBe(true);
    expect(result.overheadCheck).toMatchObject({ maxRatio: 0.99, isWithinLimit: false });
    expect(result.overheadCheck!.ratio).toBeGreaterThan(0.99);
  });

  it('3-bit, conservative: three 1.015 scales, the two-sided gate fails on the minimum effect and every failed enable check is named', async () => {
    const result = await runVarianceStage(stageInput(await subjectOf(3), resolvePolicy({ tier: 'conservative', profile: 'dev' })));
    expect([...result.proposal.scales.values()]).toEqual([1.015, 1.015, 1.015]);
    expect(result.gate).toMatchObject({ status: 'fail', windows: 10, sidedness: 'two_sided', minEffect: 0.016 });
    expect(result.gate!.reasons).toContain('below_min_effect');
    expect(result.decision!.isEnabled).toBe(false);
    expect(result.decision!.reasons).toEqual(expect.arrayContaining(['below_min_effect', 'rel_gain_too_small', 'tie_within_deadband']));
    expect(result.blocks).toMatchObject({ status: 'pass', evaluated: true, reason: `not_enabled: ${result.decision!.reasons.join(', ')}` });
    expect(result.blocks.measurements).toMatchObject({ enabled: false, ab_windows: 10, predictive_gate: 'fail' });
    expect(result.blocks.measurements!.scales.map((s) => s.module)).toEqual([0, 1, 2].map((l) => `transformer.h.${l}.mlp.c_proj`));
    expect(result.guardedScoringModel).toBeNull();
  });

  it('proposes no scale when the clamp keeps every α inside the deadband: pass, no A/B, nothing to measure', async () => {
    const policy = resolvePolicy({ tier: 'balanced', profile: 'dev', overrides: { guards: { variance: { clamp: [0.99, 1.01] } } } });
    const result = await runVarianceStage(stageInput(await subjectOf(8), policy));
    expect(result.proposal.taps.map((t) => t.status)).toEqual(['within_deadband', 'within_deadband', 'within_deadband']);
    expect([result.gate, result.decision]).toEqual([null, null]);
    expect(result.blocks).toMatchObject({ status: 'pass', evaluated: true, reason: 'no_scales' });
    expect(result.blocks.measurements).toMatchObject({ enabled: false, ab_windows: 0, predictive_gate: 'not_run', scales: [], delta_mean: null, delta_ci: null });
    expect(result.overhead).toEqual({ evaluated: false, reason: 'variance guard proposed no scales' });
  });

  it('reports insufficient coverage when the preview arm has fewer windows than min_coverage', async () => {
    const subject = await subjectOf(8);
    const take = 5;
    const previewLosses: WindowLosses = { ids: subject.previewLosses.ids.slice(0, take), loss: subject.previewLosses.loss.slice(0, take), weight: subject.previewLosses.weight.slice(0, take) };
    const result = await runVarianceStage(stageInput(subject, balanced(), { preview: { objective: 'causal', windows: fixture.preview.slice(0, take) }, previewLosses }));
    expect(result.gate).toEqual({ status: 'insufficient_coverage', windows: 5, minCoverage: 6, reasons: ['insufficient_coverage'] });
    expect(result.blocks).toMatchObject({ status: 'not_evaluated', evaluated: false, reason: 'insufficient_coverage' });
    expect(result.overhead.evaluated).toBe(false);
  });

  it('reuses a given capture session with the VE taps and proposes the same scales as with its own', async () => {
    const subject = await subjectOf(8);
    const policy = balanced();
    const taps = veTapsOf(fixture.model, subject.weights, policy).map((t) => t.value);
    const scorer = await createScorer(subject.scoring, { device: 'cpu', threads: THREADS, head: 'token-logprobs', taps });
    try {
      const given = await runVarianceStage(stageInput(subject, policy, { captureScorer: scorer }));
      const own = await runVarianceStage(stageInput(subject, policy));
      expect(given.proposal.taps).toEqual(own.proposal.taps);
      expect(given.proposal.taps.every((t) => t.variance > 0 && Number.isFinite(t.variance))).toBe(true);
    } finally {
      await scorer.release();
    }
  });

  it('runs on a masked LM (bert-tiny, 3-bit): captures the masked inputs at output.dense and gates on pseudo-perplexity', async () => {
    const model = await loadModel(resolve(MODELS, 'bert-tiny'), { tokenizer: 'required' });
    const tokenizer = model.tokenizer!;
    const special = tokenizer.specialTokens;
    const prng = createPrng(7);
    const plan = buildWindowPlan(
      documents,
      { encode: (text) => tokenizer.encode(text, { specialTokens: 'skip' }), decode: (ids) => tokenizer.decode(ids) },
      { seqLen: 64, previewN: 24, finalN: 8, objective: 'masked', separatorId: special.sep!, prefixIds: [special.cls!], suffixIds: [special.sep!], rand: () => prng.nextFloat(), tokenizerHash: tokenizer.hash },
    );
    const matrices = readWeights(model);
    const edit = applyEdit({ name: 'quant_rtn', config: resolveQuantRtnConfig({ bits: 3, scope: 'ffn' }) }, matrices);
    const scoring: ScoringModel = { source: 'bert-tiny + quant_rtn 3', index: model.graph.index, io: model.graph.io, files: graphFiles(model.graph), replace: weightReplacements(model, edit.changed).main };
    const windows = plan.preview.map((w) => maskWindow(w, { seed: 11, maskId: special.mask!, vocabSize: tokenizer.vocabSize, specialIds: tokenizer.specialIds }));
    const scorer = await createScorer(scoring, { device: 'cpu', threads: THREADS, head: 'token-logprobs' });
    const previewLosses = await scorer.scoreMasked(windows, { batchSize: 8 }).finally(() => scorer.release());
    const weights = matrices.map((m) => ({ ...m, data: edit.changed.get(m.key) ?? m.data }));
    const result = await runVarianceStage({
      policy: balanced(),
      seed: 3007,
      model,
      weights,
      edited: edit.changed,
      subject: scoring,
      preview: { objective: 'masked', windows },
      previewLosses,
      session: { device: 'cpu', threads: THREADS },
      progress: { subject: 'quant_rtn', onEvent: () => {}, batchSize: 8, signal: undefined },
    });
    expect(result.proposal.taps.map((t) => t.key)).toEqual([0, 1, 2].map((l) => `bert.encoder.layer.${l}.output.dense`));
    expect(result.proposal.taps.every((t) => t.variance > 0)).toBe(true);
    expect(result.gate).toMatchObject({ status: 'fail', windows: 8 });
    expect(result.gate!.reasons).toContain('ci_not_below_zero');
    expect(result.decision!.isEnabled).toBe(false);
    expect(result.blocks.measurements).toMatchObject({ mode: 'edit', enabled: false, ab_windows: 8, predictive_gate: 'fail' });
    expect(result.blocks.reason).toMatch(/^not_enabled: ci_not_below_zero/);
  });

  it('throws E_INTERNAL when the preview losses are not in the preview arm order', async () => {
    const subject = await subjectOf(8);
    const previewLosses: WindowLosses = { ...subject.previewLosses, ids: [...subject.previewLosses.ids].reverse() };
    await expect(runVarianceStage(stageInput(subject, balanced(), { previewLosses }))).rejects.toMatchObject({
      code: 'E_INTERNAL',
      details: { window: '0', expected: fixture.preview[0]!.id, actual: fixture.preview[23]!.id },
    });
  });
});

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

describe('VE snapshot on the fixture weights', () => {
  it('applyVeScales then restoreVeScales gives the fixture matrices back bit for bit, and leaves the input alone', () => {
    const downs = fixture.matrices.filter((m) => m.role === 'down');
    const scales = new Map(downs.map((m, i) => [m.key, [1.03, 0.97, 1.12][i]!]));
    const copies = fixture.matrices.map((m) => m.data.slice());
    const { matrices, snapshot } = applyVeScales(fixture.matrices, scales);
    const moved = matrices.filter((m, i) => !sameBits(m.data, copies[i]!)).map((m) => m.key);
    expect(moved).toEqual(downs.map((m) => m.key));
    const restored = restoreVeScales(matrices, snapshot);
    expect(restored.map((m, i) => sameBits(m.data, copies[i]!))).toEqual(copies.map(() => true));
    expect(fixture.matrices.map((m, i) => sameBits(m.data, copies[i]!))).toEqual(copies.map(() => true));
  });
});
