/**
 * Early stopping: error rates and windows saved (issue 14 item 5). Seeded, pure TypeScript, the
 * real stats functions (the same ones certify and verify call):
 *
 *   npx tsx bench/sequential/simulate.ts [--null-runs 4000] [--runs 600]
 *
 * Each simulated run draws n paired per-window log-ratios (nats) with equal weights, at the ci
 * profile's n = 200 final windows and the balanced tier (B = 1.10 + 0.002), and decides the
 * primary-metric gate three ways on the same draws:
 *
 * - fixed: today's gate, the weighted BCa bootstrap at two-sided α = 0.05 on all windows;
 * - sequential: K = 4 looks (50, 100, 150, 200 windows), interim looks on the normal boundary of
 *   Lan–DeMets O'Brien–Fleming spending, the last look the BCa gate at 2·(1 − Φ(c_K)) (what certify does);
 * - nominal-last: the same interim looks, the last look at α = 0.05 (spends α twice; shown to
 *   justify the adjusted last look).
 *
 * Null runs put the true mean exactly on the bound (ratio 1.102): P(pass) there is the type-I
 * error, which must stay ≤ α/2 = 0.025 one-sided. Other scenarios report P(pass) and the median
 * fraction of final windows saved. Two per-window distributions: normal, and Student t with 4
 * degrees of freedom (heavy tails, as per-window Δ of quantized models are), both with sd 0.05 nats (the 3-bit RTN gpt2-tiny run's first look implies about 0.05).
 * Writes bench/sequential/outcomes.json and the RESULTS.md table.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finalLookAlpha, interimLook, pairedBootstrap, Prng, sequentialDesign } from '../../src/stats/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

const N = 200;
const LOOKS = 4;
const ALPHA = 0.05;
const REPLICATES = 1200;
const WEIGHT = 127;
const SD = 0.05;
const BOUND = 1.1 + 0.002;
const SEED = 20261208;
const NULL_RUNS = arg('null-runs', 4000);
const RUNS = arg('runs', 600);

const design = sequentialDesign({ planned: N, looks: LOOKS, alpha: ALPHA / 2, bound: BOUND, spending: 'obrien_fleming' });
const lastAlpha = finalLookAlpha(design.boundaries);
const weights = new Float64Array(N).fill(WEIGHT);

type Shape = 'normal' | 't4';

function draw(rng: Prng, shape: Shape): number {
  const normal = (): number => {
    const u = 1 - rng.nextFloat();
    const v = rng.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  if (shape === 'normal') return normal();
  // t4 scaled to unit variance (Var t_ν = ν/(ν − 2) = 2)
  let chi = 0;
  for (let i = 0; i < 4; i++) chi += normal() ** 2;
  return normal() / Math.sqrt(chi / 4) / Math.SQRT2;
}

interface RunOutcome {
  readonly fixedPass: boolean;
  readonly seqPass: boolean;
  readonly nominalLastPass: boolean;
  readonly stoppedAt: number | null;
  readonly windows: number;
}

function simulate(rng: Prng, shape: Shape, mean: number, seed: number): RunOutcome {
  const deltas = new Float64Array(N);
  for (let i = 0; i < N; i++) deltas[i] = mean + SD * draw(rng, shape);
  const logBound = Math.log(BOUND);
  const bca = (alpha: number) => pairedBootstrap({ values: deltas, weights, replicates: REPLICATES, alpha, seed }).high <= logBound;
  const fixedPass = bca(ALPHA);
  for (let k = 0; k < LOOKS - 1; k++) {
    const look = interimLook(design, k, deltas, weights);
    if (look.decision !== 'continue') {
      const pass = look.decision === 'pass';
      return { fixedPass, seqPass: pass, nominalLastPass: pass, stoppedAt: k + 1, windows: design.sizes[k]! };
    }
  }
  return { fixedPass, seqPass: bca(lastAlpha), nominalLastPass: fixedPass, stoppedAt: null, windows: N };
}

interface Scenario {
  readonly name: string;
  readonly ratio: number;
  readonly runs: number;
}

const scenarios: Scenario[] = [
  { name: 'null: true ratio on the bound 1.102', ratio: BOUND, runs: NULL_RUNS },
  { name: 'clear pass: ratio 1.000 (fp16/int8 twin)', ratio: 1.0, runs: RUNS },
  { name: 'pass: ratio 1.030 (int4)', ratio: 1.03, runs: RUNS },
  { name: 'pass: ratio 1.070', ratio: 1.07, runs: RUNS },
  { name: 'near the bound: ratio 1.090', ratio: 1.09, runs: RUNS },
  { name: 'near the bound: ratio 1.115', ratio: 1.115, runs: RUNS },
  { name: 'fail: ratio 1.130', ratio: 1.13, runs: RUNS },
  { name: 'clear fail: ratio 1.250 (3-bit)', ratio: 1.25, runs: RUNS },
];

/** Wilson score interval at 95 %. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959964;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const started = performance.now();
const results = [];
let streamSeed = SEED;
for (const shape of ['normal', 't4'] as const) {
  for (const sc of scenarios) {
    const rng = new Prng(streamSeed++);
    const outcomes: RunOutcome[] = [];
    for (let r = 0; r < sc.runs; r++) outcomes.push(simulate(rng, shape, Math.log(sc.ratio), (SEED + r) >>> 0));
    const count = (f: (o: RunOutcome) => boolean) => outcomes.filter(f).length;
    const rate = (k: number) => ({ k, n: sc.runs, p: k / sc.runs, ci95: wilson(k, sc.runs) });
    const saved = outcomes.map((o) => (N - o.windows) / N);
    const stops = Object.fromEntries([1, 2, 3].map((k) => [`look_${k}`, count((o) => o.stoppedAt === k)]));
    const agree = count((o) => o.seqPass === o.fixedPass);
    results.push({
      shape,
      scenario: sc.name,
      ratio: sc.ratio,
      runs: sc.runs,
      pass_fixed: rate(count((o) => o.fixedPass)),
      pass_sequential: rate(count((o) => o.seqPass)),
      pass_nominal_last: rate(count((o) => o.nominalLastPass)),
      stopped_early: { ...stops, total: count((o) => o.stoppedAt !== null) },
      median_fraction_saved: median(saved),
      mean_fraction_saved: saved.reduce((a, b) => a + b, 0) / saved.length,
      verdict_agreement: agree / sc.runs,
    });
    console.log(`${shape} ${sc.name}: pass fixed ${count((o) => o.fixedPass)}/${sc.runs}, sequential ${count((o) => o.seqPass)}, nominal-last ${count((o) => o.nominalLastPass)}; median saved ${median(saved)}`);
  }
}
const outcomes = {
  command: `npx tsx bench/sequential/simulate.ts --null-runs ${NULL_RUNS} --runs ${RUNS}`,
  seed: SEED,
  design: {
    windows: N,
    looks: LOOKS,
    sizes: design.sizes,
    one_sided_alpha: ALPHA / 2,
    critical: design.boundaries.critical,
    alpha_spent: design.boundaries.spent,
    last_look_two_sided_alpha: lastAlpha,
    bound: BOUND,
    sd_nats: SD,
    replicates: REPLICATES,
  },
  results,
  seconds: Math.round((performance.now() - started) / 1000),
};
writeFileSync(join(here, 'outcomes.json'), `${JSON.stringify(outcomes, null, 2)}\n`);
console.log(`wrote bench/sequential/outcomes.json in ${outcomes.seconds} s`);
