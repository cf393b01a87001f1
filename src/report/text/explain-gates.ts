import { THRESHOLD_FAMILY } from '../../adapters/index.js';
import type { Certificate } from '../certificate/certificate-types.js';
import { formatLimit, formatNumber } from './format-values.js';
import { DASHBOARD_GATES, GATE_LABELS, STATUS_WORDS, gateStatus, maxAbsChange, type DashboardGate } from './gate-rows.js';
import type { GateExplanation } from '../types.js';

/**
 * Every gate of a certificate explained from its recorded measurements and policy: the inputs,
 * the rule with its numbers, the outcome and the margin to the boundary. The margin is signed and
 * positive on the passing side in the gate's own units (ratio, points, count); a gate passes when
 * its margin is ≥ 0, so "how far from flipping" reads directly. Pure.
 */
export function explainGates(cert: Certificate): readonly GateExplanation[] {
  return DASHBOARD_GATES.map((gate) => ({ gate, label: GATE_LABELS[gate], outcome: gateStatus(cert, gate), ...explainOne(cert, gate) }));
}

/** Plain text of {@link explainGates}, one paragraph per gate (for `invarlock explain-gates`). */
export function renderGateExplanation(explanations: readonly GateExplanation[]): string {
  return `${explanations
    .map((e) => {
      const inputs = Object.entries(e.inputs)
        .map(([name, value]) => `    ${name}: ${value === null ? 'n/a' : typeof value === 'number' ? formatNumber(value) : String(value)}`)
        .join('\n');
      return `${e.label}: ${STATUS_WORDS[e.outcome]}\n  rule: ${e.rule}\n  margin: ${e.marginText}\n  inputs:\n${inputs}`;
    })
    .join('\n\n')}\n`;
}

type Explained = Pick<GateExplanation, 'inputs' | 'rule' | 'margin' | 'marginText'>;

function explainOne(cert: Certificate, gate: DashboardGate): Explained {
  const pm = cert.primary_metric;
  const t = cert.policy.thresholds;
  switch (gate) {
    case 'primary_metric': {
      const floors = {
        tokens: pm.tokens.preview + pm.tokens.final,
        token_floor: t.primary_metric.token_floor,
        windows_preview: pm.windows.preview,
        windows_final: pm.windows.final,
        window_floor_preview: t.primary_metric.window_floor_preview,
        window_floor_final: t.primary_metric.window_floor_final,
        replicates: pm.replicates,
        min_replicates: t.bootstrap.min_replicates,
        floors: t.primary_metric.floors,
      };
      if (pm.kind === 'accuracy') {
        const low = pm.delta_ci?.[0] ?? null;
        const margin = low === null ? null : low - pm.limit;
        return {
          inputs: { delta_pp: pm.delta_mean, ci_low_pp: low, ci_high_pp: pm.delta_ci?.[1] ?? null, limit_pp: pm.limit, min_examples: t.primary_metric.accuracy_min_examples, ...floors },
          rule: `lower CI bound of Δ ≥ ${formatLimit(pm.limit)} pp and at least ${t.primary_metric.accuracy_min_examples} examples`,
          margin,
          marginText: marginWords(margin, 'pp', 'above the limit', 'below the limit'),
        };
      }
      const high = pm.ratio_ci?.[1] ?? null;
      const bound = pm.limit + pm.hysteresis;
      const margin = high === null ? null : bound - high;
      return {
        inputs: { ratio: pm.ratio, ci_low: pm.ratio_ci?.[0] ?? null, ci_high: high, limit: pm.limit, hysteresis: pm.hysteresis, hysteresis_applied: pm.hysteresis_applied, ...floors },
        rule: `exp(CI high of mean Δ) ≤ ${formatLimit(pm.limit)} + ${formatLimit(pm.hysteresis)} and the token, window and replicate floors are met (${t.primary_metric.floors})`,
        margin,
        marginText: marginWords(margin, '', 'below the limit', 'above the limit'),
      };
    }
    case 'drift': {
      const [lo, hi] = t.drift_band;
      if (pm.kind === 'accuracy') {
        return { inputs: { drift_pp: pm.drift }, rule: 'drift is a perplexity-ratio check; accuracy runs report it without a gate', margin: null, marginText: 'not applicable' };
      }
      const margin = pm.drift === null ? null : Math.min(pm.drift - lo, hi - pm.drift);
      return {
        inputs: { ratio_final: pm.ratio, ratio_preview: pm.preview_ratio, drift: pm.drift, band_low: lo, band_high: hi },
        rule: `${formatLimit(lo)} ≤ ratio_final / ratio_preview ≤ ${formatLimit(hi)}`,
        margin,
        marginText: marginWords(margin, '', 'inside the band', 'outside the band'),
      };
    }
    case 'invariants': {
      const g = cert.guards.invariants;
      const fatal = g.violations.filter((v) => v.severity === 'fatal').length;
      const warnings = g.violations.length - fatal;
      const strict = t.invariants.mode === 'strict';
      const counted = strict ? fatal + warnings : fatal;
      const margin = g.evaluated ? -counted : null;
      return {
        inputs: { evaluated: g.evaluated, fatal, warnings, mode: t.invariants.mode },
        rule: strict ? 'no violation at all (strict)' : 'no fatal violation; warnings are reported',
        margin,
        marginText: margin === null ? notEvaluated(g.reason) : margin === 0 ? `one ${strict ? '' : 'fatal '}violation would fail` : `${-margin} counted violation(s)`,
      };
    }
    case 'spectral': {
      const g = cert.guards.spectral;
      const m = g.measurements;
      const margin = m === null || m.fatal > 0 ? (m === null ? null : -m.fatal) : t.spectral.max_caps - m.caps;
      return {
        inputs: { evaluated: g.evaluated, caps: m?.caps ?? null, fatal: m?.fatal ?? null, max_abs_change: m === null ? null : maxAbsChange(m.modules), deadband: t.spectral.deadband, max_caps: t.spectral.max_caps },
        rule: `no fatal weight and at most ${t.spectral.max_caps} weights with |ρ − 1| > ${formatLimit(t.spectral.deadband)}`,
        margin,
        marginText: margin === null ? notEvaluated(g.reason) : m !== null && m.fatal > 0 ? `${m.fatal} fatal weight(s)` : margin >= 0 ? `${margin + 1} more cap(s) would fail` : `${-margin} cap(s) over the budget`,
      };
    }
    case 'rmt': {
      const g = cert.guards.rmt;
      const m = g.measurements;
      let margin: number | null = null;
      const inputs: Record<string, number | string | boolean | null> = { evaluated: g.evaluated };
      for (const f of m?.families ?? []) {
        inputs[`${f.family}_baseline`] = f.baseline;
        inputs[`${f.family}_subject`] = f.subject;
        if (f.baseline === null || f.subject === null || f.baseline <= 0) continue;
        const room = (1 + t.rmt.epsilon[THRESHOLD_FAMILY[f.family]]) * f.baseline - f.subject;
        margin = margin === null ? room : Math.min(margin, room);
      }
      return {
        inputs,
        rule: 'for every family with a baseline edge ratio > 0: subject ≤ (1 + ε) × baseline',
        margin,
        marginText: margin === null ? notEvaluated(g.reason) : marginWords(margin, '', 'below the tightest family limit', 'above the tightest family limit'),
      };
    }
    case 'guard_overhead': {
      const o = cert.guard_overhead;
      const margin = o.ratio === null ? null : o.limit - o.ratio;
      return {
        inputs: { evaluated: o.evaluated, bare: o.bare, guarded: o.guarded, ratio: o.ratio, limit: o.limit },
        rule: `guarded PPL / bare PPL ≤ ${formatLimit(o.limit)}`,
        margin,
        marginText: margin === null ? notEvaluated(o.reason) : marginWords(margin, '', 'below the limit', 'above the limit'),
      };
    }
    case 'pairing': {
      const p = cert.pairing;
      return {
        inputs: {
          match: p.match,
          overlap: p.overlap,
          duplicates: p.duplicates,
          baseline_preview: p.counts.baseline.preview,
          subject_preview: p.counts.subject.preview,
          baseline_final: p.counts.baseline.final,
          subject_final: p.counts.subject.final,
          tokenizer_baseline: cert.models.baseline.tokenizer_hash,
          tokenizer_subject: cert.models.subject.tokenizer_hash,
        },
        rule: 'match = 1, overlap = 0, no duplicates, equal window counts, identical tokenizer hashes',
        margin: null,
        marginText: 'exact: any deviation fails',
      };
    }
    case 'tail': {
      const p95 = cert.tail.quantiles?.p95 ?? null;
      const margin = p95 === null ? null : cert.tail.limit - p95;
      return {
        inputs: { p95, max: cert.tail.max, mass: cert.tail.mass, limit: cert.tail.limit, mode: t.tail.mode },
        rule: `P95 of per-window Δ ≤ ${formatLimit(cert.tail.limit)} (${t.tail.mode === 'warn' ? 'a breach warns' : 'a breach fails'})`,
        margin,
        marginText: margin === null ? notEvaluated(cert.tail.reason) : marginWords(margin, '', 'below the limit', 'above the limit'),
      };
    }
  }
}

function marginWords(margin: number | null, unit: string, passing: string, failing: string): string {
  if (margin === null) return 'not computed';
  const amount = `${formatNumber(Math.abs(margin))}${unit === '' ? '' : ` ${unit}`}`;
  return margin >= 0 ? `${amount} ${passing}` : `${amount} ${failing}`;
}

function notEvaluated(reason: string | null): string {
  return reason === null ? 'not evaluated' : `not evaluated: ${reason}`;
}
