/**
 * Synthetic but realistic certify inputs, one per outcome the certificate must express: pass, warn,
 * fail, error, catastrophe (stopped after the preview arm), accuracy (classification) and dev
 * evidence. Per-window losses are drawn from a seeded PRNG (src/eval's xoshiro128**), so every
 * sample is the same on every machine; `tests/fixtures/certificates/generate-fixtures.ts` builds
 * the committed certificates and renderings from them.
 */
import { Prng } from '../../src/stats/index.js';
import type {
  CertificateInput,
  GuardBlock,
  Guards,
  ModelInput,
  PolicyBlock,
  RmtMeasurements,
  SpectralMeasurements,
  Violation,
  WindowArmInput,
} from '../../src/report/index.js';

/** The balanced/ci policy as src/core resolves it (a test checks it equals `resolvePolicy`). */
export const BALANCED_CI_POLICY: PolicyBlock = {
  schema_version: 1,
  tier: 'balanced',
  profile: 'ci',
  evidence: 'release',
  windows: { preview_n: 200, final_n: 200 },
  thresholds: {
    primary_metric: {
      ratio_limit: 1.1,
      hysteresis: 0.002,
      accuracy_delta_limit_pp: -1,
      accuracy_min_examples: 200,
      token_floor: 50000,
      window_floor_preview: 180,
      window_floor_final: 180,
      floors: 'enforced',
    },
    bootstrap: { method: 'bca_weighted', replicates: 1200, min_replicates: 1200, alpha: 0.05 },
    drift_band: [0.95, 1.05],
    catastrophe_ratio: 2,
    tail: { p95_limit: 0.2, mass_threshold: 0.0001, mode: 'warn' },
    spectral: {
      mode: 'advisory',
      deadband: 0.1,
      max_caps: 5,
      kappa: { ffn: 3.849, attn: 3.018, embed: 1.05, other: 0 },
      multiple_testing: { method: 'bh', alpha: 0.05 },
      stable_rank_warn: 0.5,
      stable_rank_fatal: 0.25,
      norm_collapse_warn: 0.25,
      norm_collapse_fatal: 0.1,
    },
    rmt: { mode: 'advisory', epsilon: { ffn: 0.01, attn: 0.01, embed: 0.01, other: 0.01 } },
    guard_overhead: { limit: 1.01 },
    invariants: { mode: 'on' },
    variance: { min_effect_lognll: 0, sidedness: 'one_sided', min_rel_gain: 0.001, min_abs_gain: 0.05 },
  },
  guards: {
    spectral: { power_iterations: 4 },
    rmt: { calibration_windows: 8, power_iterations: 3 },
    variance: {
      scope: ['ffn'],
      max_calib: 200,
      scale_windows_divisor: 10,
      max_scale_windows: 50,
      ab_windows: 8,
      min_coverage: 6,
      seed: 123,
      clamp: [0.85, 1.12],
      deadband: 0.02,
      min_abs_adjust: 0.012,
      max_scale_step: 0.03,
      topk_backstop: 1,
      max_adjusted_modules: 1,
      min_gain: 0,
      tie_breaker_deadband: 0.001,
      bootstrap_replicates: 500,
      winsorize: [0.02, 0.98],
      winsorize_min_samples: 10,
      max_chunks: 8,
    },
  },
  statistics: { z0_clip: 0.000001 },
  seed_offsets: { window_draw: 0, mlm_mask: 1000, bootstrap: 2000, variance: 3000 },
  sequential: null,
  overridden: [],
};

/** The balanced/dev policy: 32 windows, 500 replicates, floors informational. */
export const BALANCED_DEV_POLICY: PolicyBlock = {
  ...BALANCED_CI_POLICY,
  profile: 'dev',
  evidence: 'dev',
  windows: { preview_n: 32, final_n: 32 },
  thresholds: {
    ...BALANCED_CI_POLICY.thresholds,
    primary_metric: { ...BALANCED_CI_POLICY.thresholds.primary_metric, floors: 'informational' },
    bootstrap: { ...BALANCED_CI_POLICY.thresholds.bootstrap, replicates: 500 },
  },
};

const H = (seed: string): string => seed.repeat(Math.ceil(64 / seed.length)).slice(0, 64);

class Draw {
  private readonly prng: Prng;
  constructor(seed: number) {
    this.prng = new Prng(seed);
  }
  uniform(): number {
    return this.prng.nextFloat();
  }
  /** Box–Muller normal. */
  normal(mean: number, sd: number): number {
    const u = Math.max(this.uniform(), 1e-12);
    const v = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Per-window arms: baseline losses ~ N(3.3, 0.35), Δ from `delta`, weights 126–128 scored tokens. */
function arms(seed: number, n: number, firstId: number, delta: (d: Draw, i: number) => number): WindowArmInput {
  const d = new Draw(seed);
  const ids: string[] = [];
  const weights: number[] = [];
  const baseline: number[] = [];
  const subject: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(`w${128 * (firstId + 2 * i)}`);
    weights.push(126 + Math.floor(d.uniform() * 3));
    const b = d.normal(3.3, 0.35);
    baseline.push(b);
    subject.push(b + delta(d, i));
  }
  return { ids, weights, baseline, subject };
}

const EMPTY_ARM: WindowArmInput = { ids: [], weights: [], baseline: [], subject: [] };

const LAYERS = 12;

function spectral(seed: number, caps: readonly { layer: number; module: 'c_fc' | 'c_proj' | 'c_attn'; ratio: number }[], maxCaps: number): GuardBlock<SpectralMeasurements> {
  const d = new Draw(seed);
  const modules: SpectralSample[] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (const [name, family] of [['attn.c_attn', 'attn'], ['attn.c_proj', 'attn'], ['mlp.c_fc', 'ffn'], ['mlp.c_proj', 'ffn']] as const) {
      const sigma = 8 + 30 * d.uniform();
      const cap = caps.find((c) => c.layer === layer && name.endsWith(c.module));
      const ratio = cap?.ratio ?? 1 + d.normal(0, 0.012);
      modules.push({ module: `transformer.h.${layer}.${name}.weight`, family, layer, sigma_baseline: sigma, sigma_subject: sigma * ratio, ratio, stable_rank_ratio: 0.97 + 0.03 * d.uniform(), norm_collapse_ratio: 0.95 + 0.05 * d.uniform() });
    }
  }
  for (const [name, family] of [['transformer.wte.weight', 'embed'], ['transformer.wpe.weight', 'embed']] as const) {
    const sigma = 20 + 10 * d.uniform();
    const ratio = 1 + d.normal(0, 0.004);
    modules.push({ module: name, family, layer: null, sigma_baseline: sigma, sigma_subject: sigma * ratio, ratio, stable_rank_ratio: 1, norm_collapse_ratio: 1 });
  }
  const deadband = BALANCED_CI_POLICY.thresholds.spectral.deadband;
  const violations: Violation[] = modules
    .filter((m) => Math.abs(m.ratio - 1) > deadband)
    .map((m) => ({ code: 'spectral_cap', severity: 'warning', module: m.module, family: m.family, message: `σmax ratio ${m.ratio.toFixed(3)} is outside 1 ± ${deadband}`, value: m.ratio, threshold: deadband }));
  const families = (['attn', 'ffn', 'embed'] as const).map((family) => {
    const of = modules.filter((m) => m.family === family);
    return {
      family,
      modules: of.length,
      violations: of.filter((m) => Math.abs(m.ratio - 1) > deadband).length,
      max_abs_change: Math.max(...of.map((m) => Math.abs(m.ratio - 1))),
      z_max: 1 + 2 * d.uniform(),
      p_value: 0.05 + 0.5 * d.uniform(),
      selected: false,
    };
  });
  const status = violations.length > maxCaps ? 'fail' : violations.length > 0 ? 'warn' : 'pass';
  return {
    status,
    evaluated: true,
    reason: `${violations.length} of ${modules.length} weights outside the deadband (budget ${maxCaps})`,
    measurements: { modules, families, caps: violations.length, fatal: 0 },
    violations,
  };
}

interface SpectralSample {
  module: string;
  family: 'attn' | 'ffn' | 'embed';
  layer: number | null;
  sigma_baseline: number;
  sigma_subject: number;
  ratio: number;
  stable_rank_ratio: number;
  norm_collapse_ratio: number;
}

function rmt(seed: number, growth: number): GuardBlock<RmtMeasurements> {
  const d = new Draw(seed);
  const modules: { module: string; family: 'attn' | 'ffn' | 'embed' | 'other'; baseline: number; subject: number }[] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (const [name, family] of [['attn.c_proj', 'attn'], ['mlp.c_proj', 'ffn'], ['ln_1', 'other']] as const) {
      const base = 1 + 0.6 * d.uniform();
      modules.push({ module: `transformer.h.${layer}.${name}`, family, baseline: base, subject: base * (1 + growth * d.uniform()) });
    }
  }
  modules.push({ module: 'transformer.wte', family: 'embed', baseline: 1.1, subject: 1.1 * (1 + growth / 4) });
  const families = (['attn', 'ffn', 'embed', 'other'] as const).map((family) => {
    const of = modules.filter((m) => m.family === family);
    return { family, baseline: Math.max(...of.map((m) => m.baseline)), subject: Math.max(...of.map((m) => m.subject)), outliers_baseline: 3, outliers_subject: 3 };
  });
  const eps = BALANCED_CI_POLICY.thresholds.rmt.epsilon;
  const unstable = families.filter((f) => f.subject > (1 + eps[f.family]) * f.baseline);
  const violations = unstable.map((f) => ({
    code: 'rmt_growth',
    severity: 'fatal' as const,
    module: null,
    family: f.family,
    message: `${f.family} edge ratio ×${(f.subject / f.baseline).toFixed(3)} > ${1 + eps[f.family]} (activation edge ratio ${f.subject.toFixed(5)}, baseline ${f.baseline.toFixed(5)})`,
    value: f.subject / f.baseline,
    threshold: 1 + eps[f.family],
  }));
  const worst = [...violations].sort((a, b) => b.value - a.value)[0];
  return {
    status: unstable.length > 0 ? 'fail' : 'pass',
    evaluated: true,
    // Worded as src/guards/rmt writes it: the worst family first, then how many more.
    reason: worst === undefined ? null : `${worst.message}${violations.length > 1 ? ` (+${violations.length - 1} more)` : ''}`,
    measurements: { windows: 8, families, modules },
    violations,
  };
}

const INVARIANTS_PASS: Guards['invariants'] = {
  status: 'pass',
  evaluated: true,
  reason: 'weights finite, structure and tying unchanged',
  measurements: {
    param_count: { baseline: 124439808, subject: 124439808 },
    structure_hash: { baseline: H('5d1e'), subject: H('5d1e') },
    nonfinite_weights: 0,
    weights_tied: { baseline: true, subject: true },
    missing_modules: 0,
  },
  violations: [],
};

const VARIANCE_MONITOR: Guards['variance'] = {
  status: 'not_evaluated',
  evaluated: false,
  reason: 'compare mode: no built-in edit to scale (monitor only)',
  measurements: null,
  violations: [],
};

const VARIANCE_EDIT: Guards['variance'] = {
  status: 'pass',
  evaluated: true,
  reason: 'predictive gate passed; scales applied to 1 module',
  measurements: {
    mode: 'edit',
    enabled: true,
    ab_windows: 8,
    delta_mean: -0.0042,
    delta_ci: [-0.0071, -0.0013],
    gain_abs: 0.12,
    gain_rel: 0.0041,
    predictive_gate: 'pass',
    scales: [{ module: 'transformer.h.11.mlp.c_proj', scale: 0.97 }],
  },
  violations: [],
};

function gpt2(reference: string, overrides: Partial<ModelInput> = {}): ModelInput {
  return {
    reference,
    revision: '607a30d783dfa663caf39e06633721c8d4cfcd7e',
    file_sha256: H('a1b2c3'),
    adapter: 'onnx_causal',
    describe: { model_type: 'gpt2', layers: 12, hidden_size: 768, heads: 12, vocab_size: 50257, parameters: 124439808, opset: 17 },
    quantization_formats: ['float32'],
    lora_adapters: [],
    tokenizer_hash: H('70c3'),
    ...overrides,
  };
}

function base(policy: PolicyBlock, runSeed: number): Omit<CertificateInput, 'outcome' | 'metricKind' | 'windows' | 'pairing' | 'guards' | 'guardOverhead' | 'change' | 'models'> {
  const o = policy.seed_offsets;
  return {
    dataset: {
      provider: 'wikitext2',
      split: 'test',
      seq_len: 128,
      stride: 128,
      counts: { documents: 4358, candidates: 2236, duplicates_removed: 2, preview: policy.windows.preview_n, final: policy.windows.final_n },
      preview_hash: H('9e7a'),
      final_hash: H('f1a4'),
      dataset_hash: H('da7a'),
      tokenizer_hash: H('70c3'),
      seed: runSeed + o.window_draw,
      truncation: null,
    },
    policy,
    provenance: {
      tool: { name: 'invarlock', version: '0.1.0' },
      node_version: 'v24.4.0',
      onnxruntime_version: '1.30.0',
      execution_provider: 'cuda',
      device: { kind: 'gpu', name: 'NVIDIA H100 80GB HBM3', driver: '570.133.20', memory_bytes: 85520809984 },
      platform: { os: 'linux', arch: 'x64' },
      container: { image: 'ghcr.io/invarlock/runtime:0.1.0-cuda12', digest: `sha256:${H('c0de')}` },
      seeds: { run: runSeed, window_draw: runSeed + o.window_draw, bootstrap: runSeed + o.bootstrap, mlm_mask: runSeed + o.mlm_mask, variance: runSeed + o.variance },
    },
    config: { baseline: 'hf:openai-community/gpt2@main', profile: policy.profile, tier: policy.tier, seed: runSeed },
    timing: {
      started_at: '2025-06-01T12:00:00.000Z',
      finished_at: '2025-06-01T12:04:31.250Z',
      duration_ms: 271250,
      stages: [
        { name: 'prepare', duration_ms: 18250 },
        { name: 'preview', duration_ms: 61000 },
        { name: 'guards', duration_ms: 42000 },
        { name: 'final', duration_ms: 150000 },
      ],
      resources: null,
    },
  };
}

function pairing(previewN: number, finalN: number): CertificateInput['pairing'] {
  return {
    match: 1,
    overlap: 0,
    duplicates: 0,
    counts: { baseline: { preview: previewN, final: finalN }, subject: { preview: previewN, final: finalN } },
    reason: null,
  };
}

/** The named sample inputs. */
export type SampleName = 'pass' | 'warn' | 'fail' | 'error' | 'catastrophe' | 'accuracy' | 'dev';

/** Every sample, built fresh (callers may mutate their copy). */
export function sampleInputs(): Record<SampleName, CertificateInput> {
  const n = 200;
  const compareInt8 = { kind: 'compare', label: 'gpt2-int8', params_changed: 84934656, modules_touched: Array.from({ length: 48 }, (_, i) => `transformer.h.${Math.floor(i / 4)}.${['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'][i % 4]}`) } as const;
  const pass: CertificateInput = {
    ...base(BALANCED_CI_POLICY, 42),
    outcome: { status: 'completed' },
    metricKind: 'ppl_causal',
    windows: { preview: arms(101, n, 0, (d) => d.normal(0.011, 0.02)), final: arms(202, n, 1, (d) => d.normal(0.011, 0.02)) },
    pairing: pairing(n, n),
    guards: { invariants: INVARIANTS_PASS, spectral: spectral(7, [], 5), rmt: rmt(8, 0.006), variance: VARIANCE_MONITOR },
    guardOverhead: { evaluated: false, reason: 'no guard adjusted the subject (compare mode)' },
    change: compareInt8,
    models: {
      baseline: gpt2('hf:openai-community/gpt2@607a30d783dfa663caf39e06633721c8d4cfcd7e'),
      subject: gpt2('./models/gpt2-int8/model.onnx', { revision: null, file_sha256: H('1a78'), quantization_formats: ['dynamic_int8'] }),
    },
  };
  const warn: CertificateInput = {
    ...base(BALANCED_CI_POLICY, 43),
    outcome: { status: 'completed' },
    metricKind: 'ppl_causal',
    windows: {
      preview: arms(303, n, 0, (d) => (d.uniform() < 0.09 ? d.normal(0.32, 0.05) : d.normal(0.008, 0.015))),
      final: arms(404, n, 1, (d) => (d.uniform() < 0.09 ? d.normal(0.32, 0.05) : d.normal(0.008, 0.015))),
    },
    pairing: pairing(n, n),
    guards: {
      invariants: INVARIANTS_PASS,
      spectral: spectral(9, [{ layer: 3, module: 'c_fc', ratio: 1.137 }, { layer: 9, module: 'c_proj', ratio: 0.871 }], 5),
      rmt: rmt(10, 0.007),
      variance: VARIANCE_EDIT,
    },
    guardOverhead: { evaluated: true, bare: 30.412, guarded: 30.398 },
    change: { kind: 'edit', name: 'quant_rtn', config: { bits: 8, group_size: 128, scope: 'ffn', clamp: 0.1 }, params_changed: 56623104, modules_touched: compareInt8.modules_touched.filter((m) => m.includes('mlp')), rolled_back: false },
    models: { baseline: gpt2('hf:openai-community/gpt2@main'), subject: gpt2('hf:openai-community/gpt2@main', { label: 'gpt2 + quant_rtn 8-bit', quantization_formats: ['float32'] }) },
  };
  const fail: CertificateInput = {
    ...base(BALANCED_CI_POLICY, 44),
    outcome: { status: 'completed' },
    metricKind: 'ppl_causal',
    windows: { preview: arms(505, n, 0, (d) => d.normal(0.118, 0.06)), final: arms(606, n, 1, (d) => d.normal(0.121, 0.06)) },
    pairing: pairing(n, n),
    guards: {
      invariants: INVARIANTS_PASS,
      spectral: spectral(11, [0, 2, 4, 5, 7, 9, 11].map((layer) => ({ layer, module: 'c_fc' as const, ratio: 1.18 + layer / 100 })), 5),
      rmt: rmt(12, 0.045),
      variance: VARIANCE_MONITOR,
    },
    guardOverhead: { evaluated: false, reason: 'no guard adjusted the subject (compare mode)' },
    change: { ...compareInt8, label: 'gpt2-int4', params_changed: 84934656 },
    models: {
      baseline: gpt2('hf:openai-community/gpt2@607a30d783dfa663caf39e06633721c8d4cfcd7e'),
      subject: gpt2('./models/gpt2-int4/model.onnx', { revision: null, file_sha256: H('1a74'), quantization_formats: ['matmulnbits_int4'] }),
    },
  };
  const error: CertificateInput = {
    ...base(BALANCED_CI_POLICY, 45),
    outcome: { status: 'error', code: 'E_RUNTIME_RUN', message: 'onnxruntime failed while running batch 17 of the final arm: CUDA out of memory' },
    metricKind: 'ppl_causal',
    windows: { preview: arms(707, n, 0, (d) => d.normal(0.01, 0.02)), final: EMPTY_ARM },
    pairing: { ...pairing(n, 0), reason: 'the final arm did not finish' },
    guards: { invariants: INVARIANTS_PASS, spectral: spectral(13, [], 5), rmt: { status: 'not_evaluated', evaluated: false, reason: 'the run failed before activations were captured', measurements: null, violations: [] }, variance: VARIANCE_MONITOR },
    guardOverhead: { evaluated: false, reason: 'the run did not finish' },
    change: compareInt8,
    models: pass.models,
  };
  const catastrophe: CertificateInput = {
    ...base(BALANCED_CI_POLICY, 46),
    outcome: { status: 'completed' },
    metricKind: 'ppl_causal',
    windows: { preview: arms(808, n, 0, (d) => d.normal(0.83, 0.2)), final: EMPTY_ARM },
    pairing: pairing(n, 0),
    guards: {
      invariants: INVARIANTS_PASS,
      spectral: spectral(15, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((layer) => ({ layer, module: 'c_fc' as const, ratio: 1.6 + layer / 50 })), 5),
      rmt: { status: 'not_evaluated', evaluated: false, reason: 'skipped: the run stopped after the preview arm', measurements: null, violations: [] },
      variance: { status: 'not_evaluated', evaluated: false, reason: 'skipped: the run stopped after the preview arm', measurements: null, violations: [] },
    },
    guardOverhead: { evaluated: false, reason: 'the run stopped after the preview arm' },
    change: { kind: 'edit', name: 'quant_rtn', config: { bits: 2, scope: 'all' }, params_changed: 124439808, modules_touched: ['transformer.wte', ...compareInt8.modules_touched], rolled_back: true },
    models: { baseline: gpt2('hf:openai-community/gpt2@main'), subject: gpt2('hf:openai-community/gpt2@main', { label: 'gpt2 + quant_rtn 2-bit' }) },
  };
  const correctness = (seed: number, count: number, first: number, flipDown: number, flipUp: number): WindowArmInput => {
    const d = new Draw(seed);
    const a: WindowArmInput = { ids: [], weights: [], baseline: [], subject: [] };
    const ids: string[] = [];
    const weights: number[] = [];
    const baseline: number[] = [];
    const subject: number[] = [];
    for (let i = 0; i < count; i++) {
      const b = d.uniform() < 0.91 ? 1 : 0;
      const u = d.uniform();
      const s = b === 1 && u < flipDown ? 0 : b === 0 && u < flipUp ? 1 : b;
      ids.push(`e${first + 2 * i}`);
      weights.push(1);
      baseline.push(b);
      subject.push(s);
    }
    return { ...a, ids, weights, baseline, subject };
  };
  const accuracy: CertificateInput = {
    ...base(BALANCED_CI_POLICY, 47),
    outcome: { status: 'completed' },
    metricKind: 'accuracy',
    windows: { preview: correctness(909, 1000, 0, 0.001, 0.03), final: correctness(1010, 1000, 1, 0.001, 0.03) },
    pairing: pairing(1000, 1000),
    guards: { invariants: INVARIANTS_PASS, spectral: spectral(17, [], 5), rmt: rmt(18, 0.004), variance: VARIANCE_MONITOR },
    guardOverhead: { evaluated: false, reason: 'no guard adjusted the subject (compare mode)' },
    change: { kind: 'compare', label: 'distilbert-sst2-int8', params_changed: 42467328, modules_touched: null },
    models: {
      baseline: { ...gpt2('hf:distilbert/distilbert-base-uncased-finetuned-sst-2-english@main'), adapter: 'onnx_cls', describe: { model_type: 'distilbert', layers: 6, hidden_size: 768, heads: 12, vocab_size: 30522, parameters: 66955010, opset: 17 } },
      subject: { ...gpt2('./models/distilbert-sst2-int8/model.onnx', { revision: null, file_sha256: H('d157'), quantization_formats: ['qdq_int8'] }), adapter: 'onnx_cls', describe: null },
    },
  };
  const devN = 32;
  const dev: CertificateInput = {
    ...base(BALANCED_DEV_POLICY, 48),
    outcome: { status: 'completed' },
    metricKind: 'ppl_causal',
    windows: { preview: arms(1111, devN, 0, (d) => d.normal(0.004, 0.01)), final: arms(1212, devN, 1, (d) => d.normal(0.004, 0.01)) },
    pairing: pairing(devN, devN),
    guards: { invariants: INVARIANTS_PASS, spectral: spectral(19, [], 5), rmt: rmt(20, 0.004), variance: VARIANCE_MONITOR },
    guardOverhead: { evaluated: false, reason: 'no guard adjusted the subject (compare mode)' },
    change: { kind: 'edit', name: 'noop', config: {}, params_changed: 0, modules_touched: [], rolled_back: false },
    models: { baseline: gpt2('./tiny-gpt2'), subject: gpt2('./tiny-gpt2', { label: 'tiny-gpt2 (noop)' }) },
  };
  return { pass, warn, fail, error, catastrophe, accuracy, dev };
}
