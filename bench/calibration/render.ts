/**
 * The calibration's outputs: the digest of the per-run outcomes, the record for
 * `contracts/calibration.json`, and the Markdown of `RESULTS.md` (generated tables, then the
 * hand-written notes kept from the previous file below {@link NOTES_MARKER}).
 */
import { canonicalJson, sha256Hex } from '../../src/contracts/index.js';
import type { CalibrationPlan, RunFacts, RunTiming } from './calibrate.js';
import type { EvalText } from './eval-text.js';
import { canonicalOutcomes, GATES, type GateId, type RunOutcome } from './outcome.js';
import { resolvePolicy, type TierName } from '../../src/core/index.js';
import { HARM_MARGIN, harmBand, type HarmBand } from './harm.js';
import { fmt, GOALS, GRID_MULTIPLES, type CalibrationSummary, type CellSummary, type GoalStatus, type PowerPoint, type RateCount } from './summarise.js';

/** Everything about a calibration run besides its outcomes. */
export interface CalibrationMeta {
  readonly command: string;
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly platform: string; readonly loadAverage: readonly number[] };
  readonly durationS: number;
  readonly jobs: number;
  readonly plan: CalibrationPlan;
  readonly text: EvalText;
  readonly facts: RunFacts;
  /** `train.steps` of each fixture in tests/fixtures/models/MANIFEST.json (null when absent). */
  readonly trainSteps: Readonly<Record<string, number | null>>;
  /** The true-harm measurement (truth.ts): final windows, text digest, entries. */
  readonly truth: { readonly windows: number; readonly sha256: string; readonly entries: number };
  /** Certify runs behind the outcomes (one per fixture, case, seed). */
  readonly measurements: number;
  /** Runs whose re-decision in the measurement tier differs from their certificate (should be none). */
  readonly mismatches: readonly string[];
}

/** Below this line RESULTS.md is hand-written and survives regeneration. */
export const NOTES_MARKER = '<!-- notes: everything below this line is hand-written and kept when the tables are regenerated -->';

/** sha256 of the canonical JSON of the outcomes in canonical order (fixture, tier, seed, case). */
export function outcomesDigest(outcomes: readonly RunOutcome[]): string {
  return sha256Hex(canonicalJson(canonicalOutcomes(outcomes)));
}

const pair = (r: RateCount): [number, number] => [r.flagged, r.n];

/** The record written to contracts/calibration.json. */
export function calibrationRecord(meta: CalibrationMeta, outcomes: readonly RunOutcome[], summary: CalibrationSummary): Record<string, unknown> {
  const { plan } = meta;
  return {
    schema_version: 1,
    description:
      'Statistical calibration of the certify gates (bench/calibration): seeded certifications of benign and harmful edits of the trained fixtures. ' +
      'counts: [flagged, runs] per gate; digest: sha256 of the canonical JSON of the per-run outcomes (bench/calibration/outcomes.json).',
    command: meta.command,
    date: meta.date,
    duration_s: meta.durationS,
    machine: { cpus: meta.machine.cpus, cpu_model: meta.machine.cpuModel, node: meta.machine.node, platform: meta.machine.platform, jobs: meta.jobs },
    fixtures: Object.fromEntries(plan.fixtures.map((f) => [f, { model_sha256: meta.facts.baselines[f] ?? null, train_steps: meta.trainSteps[f] ?? null }])),
    tiers: Object.fromEntries(plan.tiers.map((t) => [t, { policy_digest: meta.facts.policies[t] ?? null }])),
    profile: plan.profile,
    dataset: {
      source: 'wikitext-2/valid.txt (prefix cut at a blank line)',
      bytes: meta.text.bytes,
      sha256: meta.text.sha256,
      seq_len: plan.dataset.seqLen,
      preview_n: plan.dataset.previewN,
      final_n: plan.dataset.finalN,
    },
    threads: plan.threads,
    seeds: { first: plan.seeds[0] ?? null, count: plan.seeds.length, list: plan.seeds },
    measure_tier: plan.measureTier,
    measurements: meta.measurements,
    redecision_mismatches: meta.mismatches.length,
    harm: {
      definition: 'true ppl ratio on WikiText-2 valid.txt (bench/calibration/truth.json); benign ≤ 1 + (1 − m)(L − 1), harmful ≥ 1 + (1 + m)(L − 1) or broken weights, grey between (excluded from rates)',
      margin: HARM_MARGIN,
      truth_windows: meta.truth.windows,
      bands: Object.fromEntries(plan.tiers.map((t) => [t, harmBandOf(t)])),
    },
    grey: summary.grey.map((g) => ({ tier: g.tier, runs: g.runs, failed: g.failed })),
    power_curve: summary.power.map((p) => ({ tier: p.tier, low: p.low, high: p.high, runs: p.runs, failed: p.failed, primary_failed: p.primaryFailed })),
    cases: plan.cases.map((c) => ({ id: c.id, intent: c.intent, broken: c.broken, description: c.description })),
    goals: { false_alarm_max: GOALS.falseAlarmMax, detection_min: GOALS.detectionMin, confidence: GOALS.confidence },
    counts: summary.cells.map((c) => ({
      fixture: c.fixture,
      tier: c.tier,
      class: c.class,
      runs: c.runs,
      errors: c.errors,
      warns: c.warns,
      gates: Object.fromEntries(GATES.map((g) => [g, pair(c.gates[g])])),
    })),
    goal_checks: summary.goals.map((g) => ({
      tier: g.tier,
      false_alarm: { flagged: g.falseAlarm.flagged, runs: g.falseAlarm.n, rate: round(g.falseAlarm.rate), upper_95: round(g.falseAlarm.bound), status: g.falseAlarm.status },
      detection: { flagged: g.detection.flagged, runs: g.detection.n, rate: round(g.detection.rate), lower_95: round(g.detection.bound), status: g.detection.status },
    })),
    outcomes: { count: outcomes.length, digest: outcomesDigest(outcomes), file: 'bench/calibration/outcomes.json' },
  };
}

function round(x: number): number {
  return Number(x.toFixed(6));
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 && x > 0 ? 2 : 1)} %`;
}

function rateCell(r: RateCount, cls: 'benign' | 'harmful'): string {
  if (r.n === 0) return '–';
  const side = cls === 'benign' ? '≤' : '≥';
  return `${r.flagged}/${r.n} (${pct(r.rate)}; ${side} ${pct(r.bound)})`;
}

const GATE_TITLES: Readonly<Record<GateId, string>> = {
  verdict: 'verdict',
  primary_metric: 'primary metric',
  drift: 'drift',
  invariants: 'invariants',
  spectral: 'spectral',
  rmt: 'RMT',
};

function statusWord(s: GoalStatus): string {
  return s === 'met' ? 'met (95 % bound)' : s === 'met_observed_only' ? 'met as observed, not at 95 %' : '**missed**';
}

function cellTable(cells: readonly CellSummary[]): string[] {
  const header = `| fixture | class | runs | ${GATES.map((g) => GATE_TITLES[g]).join(' | ')} | warn | error |`;
  const rows = cells.map(
    (c) => `| ${c.fixture} | ${c.class} | ${c.runs} | ${GATES.map((g) => rateCell(c.gates[g], c.class)).join(' | ')} | ${c.warns} | ${c.errors} |`,
  );
  return [header, `|${' --- |'.repeat(GATES.length + 5)}`, ...rows];
}

function num(x: number | null): string {
  return x === null ? '–' : fmt(x);
}

/** RESULTS.md: the generated part, then `notes` (the hand-written part of the previous file). */
export function renderResults(meta: CalibrationMeta, outcomes: readonly RunOutcome[], summary: CalibrationSummary, timings: readonly RunTiming[], notes: string): string {
  const { plan } = meta;
  const lines: string[] = [];
  const runsMs = timings.reduce((a, t) => a + t.ms, 0);
  lines.push('# Calibration of the certify gates');
  lines.push('');
  lines.push('Generated by `bench/calibration/run.ts`; the per-run outcomes are in `bench/calibration/outcomes.json`, the summary and digest in `contracts/calibration.json`.');
  lines.push('');
  lines.push('## Run');
  lines.push('');
  lines.push(`- command: \`${meta.command}\``);
  lines.push(`- date: ${meta.date}; wall time ${(meta.durationS / 60).toFixed(1)} min (${timings.length} certify calls, ${(runsMs / 1000).toFixed(0)} s inside certify, ${meta.jobs} job(s))`);
  lines.push(
    `- machine: ${meta.machine.cpus} × ${meta.machine.cpuModel}, ${meta.machine.platform}, Node ${meta.machine.node}; load average at the start ${meta.machine.loadAverage.map((x) => x.toFixed(1)).join(' / ')}`,
  );
  lines.push(
    `- fixtures: ${plan.fixtures.map((f) => `${f} (train.steps ${meta.trainSteps[f] ?? '?'}, model.onnx sha256 ${(meta.facts.baselines[f] ?? '?').slice(0, 12)}…)`).join(', ')}`,
  );
  lines.push(`- tiers: ${plan.tiers.map((t) => `${t} (policy ${(meta.facts.policies[t] ?? '?').slice(0, 12)}…)`).join(', ')}; profile ${plan.profile}`);
  lines.push(
    `- data: ${meta.text.bytes} bytes of WikiText-2 valid.txt (sha256 ${meta.text.sha256.slice(0, 12)}…), seq_len ${plan.dataset.seqLen}, preview/final ${plan.dataset.previewN}/${plan.dataset.finalN} windows, ${plan.threads} onnxruntime thread(s)`,
  );
  lines.push(`- seeds: ${plan.seeds.length} (${plan.seeds[0]}–${plan.seeds[plan.seeds.length - 1]}); each seed changes the window draw, the bootstrap stream and the seeded harmful edits (block = seed mod blocks, noise stream)`);
  lines.push(
    `- one certify run per (fixture, case, seed) in the ${plan.measureTier} tier: ${meta.measurements} runs; every tier is decided from those runs' statistics (redecide.ts), never re-run; re-decision vs. certificate in the ${plan.measureTier} tier: ${meta.mismatches.length} mismatches${meta.mismatches.length > 0 ? ` (${meta.mismatches.slice(0, 5).join('; ')})` : ''}`,
  );
  lines.push(
    `- true harm: each subject's perplexity ratio on WikiText-2 valid.txt, ${meta.truth.windows} final windows of ${plan.dataset.seqLen} tokens (bench/calibration/truth.json, ${meta.truth.entries} subjects); test.txt is the fixtures' training text and is not used`,
  );
  lines.push(`- outcomes: ${outcomes.length} (${plan.tiers.length} tiers × ${meta.measurements} runs), digest \`${outcomesDigest(outcomes)}\``);
  lines.push('');
  lines.push('Rates: `flagged/runs (rate; 95 % bound)`: one-sided exact Clopper–Pearson, the upper bound for benign cells (false alarms), the lower bound for harmful cells (detection). With 0 of n flagged the upper bound is ≈ 3/n. A gate "flags" a run when its validation flag is false or its guard failed; the primary metric also counts the catastrophe stop (preview ratio > 2, final arm skipped). The verdict flags `fail` and `error`; `warn` passes.');
  lines.push('');
  lines.push('## Goals per tier (fixtures pooled)');
  lines.push('');
  lines.push(`| tier | false alarms on benign (goal ≤ ${pct(GOALS.falseAlarmMax)}) | | detection of harmful (goal ≥ ${pct(GOALS.detectionMin)}) | |`);
  lines.push('| --- | --- | --- | --- | --- |');
  for (const g of summary.goals) {
    lines.push(`| ${g.tier} | ${rateCell(g.falseAlarm, 'benign')} | ${statusWord(g.falseAlarm.status)} | ${rateCell(g.detection, 'harmful')} | ${statusWord(g.detection.status)} |`);
  }
  lines.push('');
  lines.push('## Harm defined by the tier');
  lines.push('');
  lines.push(
    `A run is **benign** in a tier when its subject's true ratio is at most 1 + ${1 - HARM_MARGIN}·(L − 1), **harmful** when at least 1 + ${1 + HARM_MARGIN}·(L − 1), when no finite ratio exists, or when its weights are broken (a zeroed block); in between it is **grey**: reported here, kept out of the rates (no verdict is wrong there).`,
  );
  lines.push('');
  lines.push('| tier | limit L | benign ≤ | harmful ≥ | grey runs | grey runs failed | grey subjects |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const g of summary.grey) {
    const band = harmBandOf(g.tier as TierName);
    lines.push(`| ${g.tier} | ${fmt(band.limit)} | ${fmt(band.benignMax)} | ${fmt(band.harmfulMin)} | ${g.runs} | ${g.failed} | ${g.cases.join(', ') || '–'} |`);
  }
  lines.push('');
  lines.push('## Power curve: P(FAIL) against the true ratio');
  lines.push('');
  lines.push(`At the ${plan.profile} profile's sample size (${plan.dataset.previewN}/${plan.dataset.finalN} windows). Bins of the true ratio; every run of every fixture, grey included.`);
  lines.push('');
  for (const tier of plan.tiers) {
    lines.push(...powerLines(tier, summary.power.filter((p) => p.tier === tier), harmBandOf(tier)));
    lines.push('');
  }
  for (const tier of plan.tiers) {
    lines.push(`## Tier ${tier}`);
    lines.push('');
    lines.push(...cellTable(summary.cells.filter((c) => c.tier === tier)));
    lines.push('');
    lines.push('Per case: verdicts, runs each gate flagged, and the spread of the statistics (ratio = PPL ratio on the final windows, CI high = upper end of its 95 % BCa interval, RMT growth = max family r_subject/r_baseline − 1, caps = spectral modules outside the deadband).');
    lines.push('');
    lines.push('| fixture | case | class | true ratio | pass/warn/fail/error | flagged by | ratio median (max) | CI high min–max | RMT growth min–max | caps min–max |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of summary.cases.filter((x) => x.tier === tier)) {
      const by = GATES.filter((g) => g !== 'verdict' && c.gates[g] > 0).map((g) => `${GATE_TITLES[g]} ${c.gates[g]}`).join(', ') || '–';
      lines.push(
        `| ${c.fixture} | ${c.case} | ${c.class} | ${c.trueRatio.min === c.trueRatio.max ? num(c.trueRatio.min) : `${num(c.trueRatio.min)}–${num(c.trueRatio.max)}`} | ${c.verdicts.pass}/${c.verdicts.warn}/${c.verdicts.fail}/${c.verdicts.error} | ${by} | ${num(c.ratio.median)} (${num(c.ratio.max)}) | ${num(c.ciHigh.min)}–${num(c.ciHigh.max)} | ${num(c.rmtGrowth.min)}–${num(c.rmtGrowth.max)} | ${num(c.spectralCaps.min)}–${num(c.spectralCaps.max)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Threshold evidence');
  lines.push('');
  lines.push('For each thresholded gate: how many runs it flags at the current threshold, the largest benign and smallest harmful statistic, and — where it flags benign runs — the overall verdict rates if the threshold were raised to the largest benign value (other gates as recorded). The derivation of the thresholds in `contracts/tiers.json` from these runs is `bench/calibration/derive-thresholds.ts` (its output: `bench/calibration/THRESHOLDS.md`).');
  lines.push('');
  lines.push('| tier | gate | rule (current) | benign flagged | benign max | harmful flagged | harmful min | threshold → benign max | false alarms then | detection then |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const t of summary.thresholds) {
    lines.push(
      `| ${t.tier} | ${t.gate} | ${t.rule} | ${t.benignFlagged}/${t.benignN} | ${num(t.benignMax)} | ${t.harmfulFlagged}/${t.harmfulN} | ${num(t.harmfulMin)} | ${num(t.proposed)} | ${t.whatIf === null ? '–' : rateCell(t.whatIf.falseAlarm, 'benign')} | ${t.whatIf === null ? '–' : rateCell(t.whatIf.detection, 'harmful')} |`,
    );
  }
  lines.push('');
  lines.push('### What-if grid');
  lines.push('');
  lines.push(
    'Overall verdict rates per fixture if one gate\'s allowance were multiplied (primary metric: the limit becomes 1 + m·(L + h − 1); drift: the band half-width; spectral: the deadband, max_caps kept; RMT: ε), the other gates as recorded. Cells: `threshold: false alarms k/n · detection k/n`; the ×1 column reproduces the recorded verdicts.',
  );
  lines.push('');
  lines.push(`| tier | gate | fixture | ${GRID_MULTIPLES.map((m) => `×${m}`).join(' | ')} |`);
  lines.push(`|${' --- |'.repeat(GRID_MULTIPLES.length + 3)}`);
  for (const g of summary.grid) {
    const cells = g.points.map((p) => `${fmt(p.threshold)}: ${p.falseAlarm.flagged}/${p.falseAlarm.n} · ${p.detection.flagged}/${p.detection.n}`);
    lines.push(`| ${g.tier} | ${g.gate} | ${g.fixture} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('## Cases');
  lines.push('');
  for (const c of plan.cases) lines.push(`- \`${c.id}\` (meant ${c.intent}${c.broken ? ', broken weights: harmful in every tier' : ''}): ${c.description}`);
  lines.push('');
  lines.push(NOTES_MARKER);
  lines.push(notes.length > 0 ? notes.replace(/^\n+/, '\n') : '\n');
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** The hand-written part of an existing RESULTS.md (after {@link NOTES_MARKER}), or ''. */
export function notesOf(existing: string | null): string {
  if (existing === null) return '';
  const at = existing.indexOf(NOTES_MARKER);
  return at === -1 ? '' : existing.slice(at + NOTES_MARKER.length);
}

/** The harm band of a tier under today's tiers.json. */
export function harmBandOf(tier: TierName): HarmBand {
  return harmBand(resolvePolicy({ tier, profile: 'dev' }).thresholds.primary_metric.ratio_limit);
}

/** The power curve of one tier as table rows and an ASCII plot (P(FAIL) against the true ratio). */
export function powerLines(tier: string, points: readonly PowerPoint[], band: HarmBand): string[] {
  const lines: string[] = [];
  const label = (p: PowerPoint): string => (p.high === null ? `≥ ${fmt(p.low)} or broken` : `${fmt(p.low)}–${fmt(p.high)}`);
  lines.push(`Tier ${tier}: limit ${fmt(band.limit)}; benign ≤ ${fmt(band.benignMax)}, harmful ≥ ${fmt(band.harmfulMin)} (true ratio).`);
  lines.push('');
  lines.push('| true ratio | runs | P(FAIL) verdict | P(FAIL) primary metric | |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const p of points) {
    const zone = p.high !== null && p.high <= band.benignMax ? 'benign' : p.low >= band.harmfulMin || p.high === null ? 'harmful' : 'grey / mixed';
    lines.push(`| ${label(p)} | ${p.runs} | ${p.failed}/${p.runs} (${pct(p.failed / p.runs)}) | ${p.primaryFailed}/${p.runs} (${pct(p.primaryFailed / p.runs)}) | ${zone} |`);
  }
  lines.push('');
  lines.push('```');
  lines.push(`P(FAIL)  0%        25%       50%       75%      100%   (tier ${tier}; # verdict, + primary metric alone)`);
  for (const p of points) {
    const bar = (x: number): number => Math.round(40 * x);
    const v = bar(p.failed / p.runs);
    const pm = bar(p.primaryFailed / p.runs);
    const row = Array.from({ length: 41 }, (_, i) => (i < v ? '#' : i === pm && pm > 0 ? '+' : ' ')).join('');
    lines.push(`${label(p).padEnd(20)}|${row}| ${p.failed}/${p.runs}`);
  }
  lines.push('```');
  return lines;
}
