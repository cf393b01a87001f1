/**
 * Derives each guard's threshold and mode per tier from a calibration's runs (issue 14: guards earn
 * their place), and writes the derivation to `bench/calibration/THRESHOLDS.md` and
 * `bench/calibration/thresholds.json`:
 *
 *   npx tsx bench/calibration/derive-thresholds.ts [--outcomes bench/calibration/outcomes.json] [--write-tiers]
 *
 * For each tier and each guard with a threshold (spectral: the deadband, max_caps kept; RMT: one ε
 * for every family), over the runs classed benign or harmful in that tier (harm.ts):
 *
 * 1. candidates: the tier's current threshold times 1, 1.5, 2, 3, 5, 10;
 * 2. false alarms at t: benign runs the guard stops; the guard may gate only at a t where that is at
 *    most 1 % of the benign runs (observed; with zero of n the exact 95 % bound is ≈ 3/n);
 * 3. detection benefit at t: harmful runs the guard stops that no other gating check stops (the
 *    primary metric, drift, invariants, the other guard if it gates);
 * 4. the guard gates at the smallest admissible t with a benefit > 0; with no such t it becomes
 *    advisory (measured and shown, never failing the run) and keeps its current threshold for the
 *    reports.
 *
 * `--write-tiers` writes the modes and thresholds into contracts/tiers.json with a provenance note.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TierName } from '../../src/core/index.js';
import { upperBound } from './binomial.js';
import type { RunOutcome } from './outcome.js';
import { gateFlags, tierRules, type AdvisoryGuard, type TierRules } from './redecide.js';
import { CASES } from './cases.js';
import { isLegacy, fromLegacy, proxyTruth } from './legacy.js';
import { harmBandOf, powerLines } from './render.js';
import { parseSavedRun } from './saved-run.js';
import { fmt, summarise } from './summarise.js';
import { redecide } from './redecide.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../..');
const TIERS: readonly TierName[] = ['balanced', 'conservative', 'aggressive'];
const MULTIPLES: readonly number[] = [1, 1.5, 2, 3, 5, 10];
/** The false-alarm goal of issue 14. */
export const FALSE_ALARM_MAX = 0.01;

/** One candidate threshold of one guard in one tier. */
export interface Candidate {
  readonly threshold: number;
  readonly falseAlarms: number;
  readonly benefit: number;
  readonly admissible: boolean;
}

/** What the derivation decided for one guard in one tier. */
export interface GuardDerivation {
  readonly tier: TierName;
  readonly guard: AdvisoryGuard;
  readonly current: number;
  readonly benign: number;
  readonly harmful: number;
  readonly candidates: readonly Candidate[];
  readonly mode: 'gate' | 'advisory';
  readonly threshold: number;
  readonly why: string;
  /** The benign subjects (fixture:case ×runs, true ratio) the guard stops at its current threshold: what its false alarms are. */
  readonly falseAlarmCases: readonly string[];
}

function withThreshold(rules: TierRules, guard: AdvisoryGuard, t: number): TierRules {
  if (guard === 'spectral') return { ...rules, deadband: t, modes: { ...rules.modes, spectral: 'gate' } };
  return { ...rules, epsilon: { attn: t, ffn: t, embed: t, other: t }, modes: { ...rules.modes, rmt: 'gate' } };
}

function currentOf(rules: TierRules, guard: AdvisoryGuard): number {
  return guard === 'spectral' ? rules.deadband : Math.min(rules.epsilon.attn, rules.epsilon.ffn, rules.epsilon.embed, rules.epsilon.other);
}

/** The derivation for one tier's runs (outcomes of that tier, any class). */
export function deriveGuard(tier: TierName, guard: AdvisoryGuard, outcomes: readonly RunOutcome[], rules: TierRules = tierRules(tier)): GuardDerivation {
  const benign = outcomes.filter((o) => o.tier === tier && o.class === 'benign' && o.verdict !== 'error');
  const harmful = outcomes.filter((o) => o.tier === tier && o.class === 'harmful');
  const current = currentOf(rules, guard);
  const other: AdvisoryGuard = guard === 'spectral' ? 'rmt' : 'spectral';
  const candidates = MULTIPLES.map((m): Candidate => {
    const t = Number((current * m).toPrecision(6));
    const r = withThreshold(rules, guard, t);
    const falseAlarms = benign.filter((o) => gateFlags(o, r)[guard]).length;
    const benefit = harmful.filter((o) => {
      const f = gateFlags(o, r);
      if (!f[guard]) return false;
      const othersStop = f.primary_metric || f.drift || f.invariants || (f[other] && rules.modes[other] === 'gate') || o.verdict === 'error';
      return !othersStop;
    }).length;
    return { threshold: t, falseAlarms, benefit, admissible: benign.length > 0 && falseAlarms <= FALSE_ALARM_MAX * benign.length };
  });
  const atCurrent = withThreshold(rules, guard, current);
  const counts = new Map<string, { n: number; ratio: number | null }>();
  for (const o of benign.filter((x) => gateFlags(x, atCurrent)[guard])) {
    const k = `${o.fixture}:${o.case}`;
    counts.set(k, { n: (counts.get(k)?.n ?? 0) + 1, ratio: o.true_ratio });
  }
  const falseAlarmCases = [...counts].map(([k, v]) => `${k} ×${v.n} (true ${v.ratio === null ? '–' : fmt(v.ratio)})`);
  const chosen = candidates.find((c) => c.admissible && c.benefit > 0);
  if (chosen !== undefined) {
    return {
      tier,
      guard,
      current,
      benign: benign.length,
      harmful: harmful.length,
      candidates,
      mode: 'gate',
      threshold: chosen.threshold,
      falseAlarmCases,
      why: `smallest threshold with ≤ ${FALSE_ALARM_MAX * 100} % false alarms (${chosen.falseAlarms}/${benign.length}, 95 % bound ${fmtPct(upperBound(chosen.falseAlarms, benign.length))}) that still stops ${chosen.benefit} harmful run(s) nothing else stops`,
    };
  }
  const firstAdmissible = candidates.find((c) => c.admissible);
  return {
    tier,
    guard,
    current,
    benign: benign.length,
    harmful: harmful.length,
    candidates,
    mode: 'advisory',
    threshold: current,
    falseAlarmCases,
    why:
      benign.length === 0
        ? 'no benign runs in this tier: nothing shows the guard is safe to gate on'
        : firstAdmissible === undefined
          ? `no candidate threshold (up to ×${MULTIPLES[MULTIPLES.length - 1]}) keeps false alarms ≤ ${FALSE_ALARM_MAX * 100} %`
          : `at every threshold with ≤ ${FALSE_ALARM_MAX * 100} % false alarms it stops no harmful run that the primary metric, drift or invariants do not already stop`,
  };
}

function fmtPct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

/** THRESHOLDS.md for the derivations of a saved run. */
export function renderThresholds(derivations: readonly GuardDerivation[], source: { file: string; digest: string; runs: number; legacy: boolean; fixtures: readonly string[] | null }): string {
  const lines: string[] = [];
  lines.push('# Guard thresholds and modes derived from the calibration');
  lines.push('');
  lines.push(`Command: \`npx tsx bench/calibration/derive-thresholds.ts${source.fixtures === null ? '' : ` --fixtures ${source.fixtures.join(',')}`}\`${source.fixtures === null ? '' : ` (runs of ${source.fixtures.join(', ')} only)`}.`);
  lines.push('');
  if (source.legacy) {
    lines.push(
      `**Source: the runs of the previous harness** (${source.file} as committed before issue 14: gpt2-tiny trained 800 steps, llama-tiny trained 40 steps, 20 seeds, dev profile 32/32 windows). Their balanced-tier runs are the measurements; every tier is re-decided from them (redecide.ts); the true ratio is a proxy, the median measured ratio of the subject over the 20 seeds (legacy.ts), not the held-out truth of truth.ts, which this machine could not compute in time. Re-run \`npm run calibrate\` and this script on the retrained fixtures to replace it.`,
    );
    lines.push('');
  }
  lines.push(`Generated by \`bench/calibration/derive-thresholds.ts\` from \`${source.file}\` (outcomes digest \`${source.digest}\`, ${source.runs} outcomes). The rule is in the script's header: a guard gates at the smallest candidate threshold with ≤ ${FALSE_ALARM_MAX * 100} % false alarms on the benign runs that still stops a harmful run nothing else stops; otherwise it is advisory.`);
  lines.push('');
  lines.push('| tier | guard | benign / harmful runs | current | mode | threshold | why |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const d of derivations) lines.push(`| ${d.tier} | ${d.guard} | ${d.benign} / ${d.harmful} | ${fmt(d.current)} | **${d.mode}** | ${fmt(d.threshold)} | ${d.why} |`);
  lines.push('');
  lines.push('Benign runs each guard stops at its current threshold (the false alarms):');
  lines.push('');
  for (const d of derivations) lines.push(`- ${d.tier} ${d.guard}: ${d.falseAlarmCases.join(', ') || 'none'}`);
  lines.push('');
  lines.push('Candidates: `threshold: false alarms / benefit` (benefit = harmful runs only this guard stops).');
  lines.push('');
  lines.push(`| tier | guard | ${MULTIPLES.map((m) => `×${m}`).join(' | ')} |`);
  lines.push(`|${' --- |'.repeat(MULTIPLES.length + 2)}`);
  for (const d of derivations) lines.push(`| ${d.tier} | ${d.guard} | ${d.candidates.map((c) => `${fmt(c.threshold)}: ${c.falseAlarms} / ${c.benefit}`).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** tiers.json with the derived modes and thresholds written in (other numbers untouched). */
export function applyToTiers(tiersText: string, derivations: readonly GuardDerivation[], provenance: string): string {
  const tiers = JSON.parse(tiersText) as { tiers: Record<string, { spectral: Record<string, unknown>; rmt: Record<string, unknown> }>; provenance?: Record<string, string> };
  const notes: Record<string, string> = { ...(tiers.provenance ?? {}) };
  for (const d of derivations) {
    const block = tiers.tiers[d.tier]![d.guard];
    block['mode'] = d.mode;
    if (d.guard === 'spectral') block['deadband'] = d.threshold;
    else block['epsilon'] = { ffn: d.threshold, attn: d.threshold, embed: d.threshold, other: d.threshold };
    notes[`/tiers/${d.tier}/${d.guard}`] = `${d.mode}${d.mode === 'gate' ? `, ${d.guard === 'spectral' ? 'deadband' : 'ε'} ${fmt(d.threshold)}` : ''}: ${provenance}`;
  }
  return `${JSON.stringify({ ...tiers, provenance: notes }, null, 2)}\n`;
}

/** Legacy outcomes: the balanced runs, every tier re-decided with the proxy truth. */
function legacyOutcomes(raw: readonly Record<string, unknown>[]): RunOutcome[] {
  const measurements = raw.map(fromLegacy).filter((m) => m.tier === 'balanced');
  const harm = proxyTruth(measurements, CASES);
  return TIERS.flatMap((tier) => measurements.map((m) => redecide(m, tierRules(tier), harm(m))));
}

/** The verdict rates per tier with the derived modes and thresholds applied, and the power curve. */
function renderEffect(outcomes: readonly RunOutcome[], derivations: readonly GuardDerivation[], tiers: readonly TierName[]): string {
  const lines: string[] = ['', '## Effect on the verdicts', ''];
  const after: RunOutcome[] = [];
  for (const tier of tiers) {
    let rules = tierRules(tier);
    for (const d of derivations.filter((x) => x.tier === tier)) rules = { ...withThreshold(rules, d.guard, d.threshold), modes: { ...rules.modes, [d.guard]: d.mode } };
    for (const o of outcomes.filter((x) => x.tier === tier)) {
      const broken = CASES.find((c) => c.id === o.case)?.broken ?? false;
      const harm = o.true_ratio === null ? (o.class === 'harmful' ? { ratio: null, broken } : null) : { ratio: o.true_ratio, broken };
      after.push(redecide(o, rules, harm));
    }
  }
  const before = summarise(outcomes);
  const now = summarise(after);
  const cell = (r: { flagged: number; n: number; bound: number }, side: string): string => `${r.flagged}/${r.n} (${fmtPct(r.n === 0 ? 0 : r.flagged / r.n)}; ${side} ${fmtPct(r.bound)})`;
  lines.push('| tier | false alarms before | detection before | false alarms after | detection after | grey runs |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const tier of tiers) {
    const b = before.goals.find((g) => g.tier === tier)!;
    const a = now.goals.find((g) => g.tier === tier)!;
    lines.push(`| ${tier} | ${cell(b.falseAlarm, '≤')} | ${cell(b.detection, '≥')} | ${cell(a.falseAlarm, '≤')} | ${cell(a.detection, '≥')} | ${now.grey.find((g) => g.tier === tier)?.runs ?? 0} |`);
  }
  lines.push('');
  lines.push('Per fixture after (false alarms · detection):');
  lines.push('');
  for (const tier of tiers) {
    const cells = now.cells.filter((c) => c.tier === tier && c.fixture !== 'all');
    lines.push(`- ${tier}: ${cells.map((c) => `${c.fixture} ${c.class} ${c.gates.verdict.flagged}/${c.gates.verdict.n}`).join(', ')}`);
  }
  lines.push('');
  lines.push('## Power curve after (P(FAIL) against the true ratio)');
  lines.push('');
  for (const tier of tiers) {
    lines.push(...powerLines(tier, now.power.filter((p) => p.tier === tier), harmBandOf(tier)));
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const { values } = parseArgs({ options: { outcomes: { type: 'string' }, fixtures: { type: 'string' }, 'write-tiers': { type: 'boolean', default: false } }, strict: true });
  const only = values.fixtures === undefined ? null : new Set(values.fixtures.split(','));
  const file = values.outcomes ?? join(HERE, 'outcomes.json');
  const saved = parseSavedRun(readFileSync(file, 'utf8'), file);
  const legacy = saved.outcomes.some((o) => isLegacy(o));
  // a run of the previous harness: re-read its balanced runs under the harm definition with a proxy truth (legacy.ts)
  const all = legacy ? legacyOutcomes(saved.outcomes as unknown as Record<string, unknown>[]) : saved.outcomes;
  const outcomes = only === null ? all : all.filter((o) => only.has(o.fixture));
  const tiers = TIERS.filter((t) => outcomes.some((o) => o.tier === t));
  const derivations = tiers.flatMap((tier) => (['spectral', 'rmt'] as const).map((guard) => deriveGuard(tier, guard, outcomes)));
  const rel = 'bench/calibration/outcomes.json';
  const source = { file: rel, digest: saved.digest, runs: outcomes.length, legacy, fixtures: only === null ? null : [...only] };
  writeFileSync(join(HERE, 'THRESHOLDS.md'), renderThresholds(derivations, source) + renderEffect(outcomes, derivations, tiers));
  writeFileSync(join(HERE, 'thresholds.json'), `${JSON.stringify({ source: rel, digest: saved.digest, derivations }, null, 2)}\n`);
  for (const d of derivations) console.log(`${d.tier} ${d.guard}: ${d.mode} ${fmt(d.threshold)} (${d.why})`);
  if (values['write-tiers'] === true) {
    const path = join(REPO_ROOT, 'contracts/tiers.json');
    const scope = only === null ? '' : ` runs of ${[...only].join(', ')}`;
    writeFileSync(path, applyToTiers(readFileSync(path, 'utf8'), derivations, `bench/calibration/THRESHOLDS.md (derive-thresholds.ts over outcomes digest ${saved.digest.slice(0, 16)}…${scope}${legacy ? ', previous harness, proxy truth' : ''})`));
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
