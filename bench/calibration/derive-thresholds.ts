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
import { parseSavedRun } from './saved-run.js';
import { fmt } from './summarise.js';

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
export function renderThresholds(derivations: readonly GuardDerivation[], source: { file: string; digest: string; runs: number }): string {
  const lines: string[] = [];
  lines.push('# Guard thresholds and modes derived from the calibration');
  lines.push('');
  lines.push(`Generated by \`bench/calibration/derive-thresholds.ts\` from \`${source.file}\` (outcomes digest \`${source.digest}\`, ${source.runs} outcomes). The rule is in the script's header: a guard gates at the smallest candidate threshold with ≤ ${FALSE_ALARM_MAX * 100} % false alarms on the benign runs that still stops a harmful run nothing else stops; otherwise it is advisory.`);
  lines.push('');
  lines.push('| tier | guard | benign / harmful runs | current | mode | threshold | why |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const d of derivations) lines.push(`| ${d.tier} | ${d.guard} | ${d.benign} / ${d.harmful} | ${fmt(d.current)} | **${d.mode}** | ${fmt(d.threshold)} | ${d.why} |`);
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

function main(): void {
  const { values } = parseArgs({ options: { outcomes: { type: 'string' }, 'write-tiers': { type: 'boolean', default: false } }, strict: true });
  const file = values.outcomes ?? join(HERE, 'outcomes.json');
  const saved = parseSavedRun(readFileSync(file, 'utf8'), file);
  const tiers = TIERS.filter((t) => saved.outcomes.some((o) => o.tier === t));
  const derivations = tiers.flatMap((tier) => (['spectral', 'rmt'] as const).map((guard) => deriveGuard(tier, guard, saved.outcomes)));
  const rel = 'bench/calibration/outcomes.json';
  writeFileSync(join(HERE, 'THRESHOLDS.md'), renderThresholds(derivations, { file: rel, digest: saved.digest, runs: saved.outcomes.length }));
  writeFileSync(join(HERE, 'thresholds.json'), `${JSON.stringify({ source: rel, digest: saved.digest, derivations }, null, 2)}\n`);
  for (const d of derivations) console.log(`${d.tier} ${d.guard}: ${d.mode} ${fmt(d.threshold)} (${d.why})`);
  if (values['write-tiers'] === true) {
    const path = join(REPO_ROOT, 'contracts/tiers.json');
    writeFileSync(path, applyToTiers(readFileSync(path, 'utf8'), derivations, `bench/calibration/THRESHOLDS.md (derive-thresholds.ts over outcomes digest ${saved.digest.slice(0, 16)}…)`));
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
