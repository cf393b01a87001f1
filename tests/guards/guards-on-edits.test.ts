import { describe, expect, it } from 'vitest';
import { applyEdit, applyEditResult, type WeightMatrix } from '../../src/edits/index.js';
import {
  computeActivationRmt,
  computeMatrixStats,
  createKernelPool,
  evaluateInvariants,
  evaluateRmt,
  evaluateSpectral,
  evaluateVariance,
  measureWeights,
  proposeVeScales,
  toRmtWindowMeasurement,
  type RmtModuleMeasurement,
} from '../../src/guards/index.js';
import { BALANCED_RMT, BALANCED_SPECTRAL, BALANCED_VE } from './policies-fixture.js';
import { randomData, tinyModel } from './weights-fixture.js';

// Guards run on the output of the built-in edits (edits sit below guards, so this stays in tests/guards).
const STATS = { powerIters: 4, mpTopK: 4, mpIters: 4 };

function activations(matrices: readonly WeightMatrix[]): RmtModuleMeasurement[] {
  return matrices
    .filter((m) => m.family === 'ffn' || m.family === 'attn')
    .map((m, i) => ({
      key: m.key,
      module: m.module,
      family: m.family,
      windows: [0, 1, 2].map((w) => toRmtWindowMeasurement(`w${w}`, computeActivationRmt(randomData(12, m.rows, 50 + 7 * i + w, 1), 12, m.rows, { iters: 3 }))),
    }));
}

describe('a noop edit', () => {
  it('passes every guard', async () => {
    const pool = await createKernelPool({ mode: 'in-thread' });
    const base = tinyModel({ layers: 3 });
    const subject = applyEditResult(base, applyEdit({ name: 'noop', config: {} }, base));
    const [baseStats, subjectStats] = [await measureWeights(base, { pool, stats: STATS }), await measureWeights(subject, { pool, stats: STATS })];
    expect(evaluateInvariants({ baseline: { weights: base, tokenizerHash: 'h' }, subject: { weights: subject, tokenizerHash: 'h' } }, { mode: 'strict' }).status).toBe('pass');
    expect(evaluateSpectral({ baseline: baseStats, subject: subjectStats }, BALANCED_SPECTRAL).status).toBe('pass');
    const acts = activations(base);
    expect(evaluateRmt({ baseline: acts, subject: activations(subject), weights: { baseline: baseStats, subject: subjectStats } }, BALANCED_RMT).status).toBe('pass');
    const taps = subject.filter((m) => m.role === 'down').map((m) => ({ key: m.key, module: m.module, role: m.role, samples: [1, 1, 1] }));
    expect(evaluateVariance({ mode: 'edit', proposal: proposeVeScales(taps, BALANCED_VE), gate: null, decision: null }).status).toBe('pass');
    await pool.close();
  });
});

describe('quant_rtn against the weight guards', () => {
  const base = tinyModel({ layers: 3, hidden: 32 });
  const baseStats = base.map((m) => ({ key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, stats: computeMatrixStats(m.data, m.rows, m.cols, STATS) }));
  const measure = (weights: readonly WeightMatrix[]) => weights.map((m) => ({ key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, stats: computeMatrixStats(m.data, m.rows, m.cols, STATS) }));

  it('passes at 8 bits: every σ̂ ratio stays within the balanced deadband', () => {
    const subject = applyEditResult(base, applyEdit({ name: 'quant_rtn', config: { bits: 8, groupSize: 0, clampRatio: 0, scope: 'all', maxModules: 0 } }, base));
    const spectral = evaluateSpectral({ baseline: baseStats, subject: measure(subject) }, BALANCED_SPECTRAL);
    expect(spectral.status).toBe('pass');
    expect(spectral.measurements.maxAbsDeviation).toBeLessThan(0.01);
  });

  it('is caught at 2 bits: the σ̂ ratios leave the deadband', () => {
    const subject = applyEditResult(base, applyEdit({ name: 'quant_rtn', config: { bits: 2, groupSize: 0, clampRatio: 0, scope: 'all', maxModules: 0 } }, base));
    const spectral = evaluateSpectral({ baseline: baseStats, subject: measure(subject) }, BALANCED_SPECTRAL);
    expect(spectral.status).toBe('fail');
    expect(spectral.measurements.caps).toBeGreaterThan(BALANCED_SPECTRAL.maxCaps);
  });
});
