/**
 * Forged certificates for verify's trust tests (issue 13, item 1): semantic mutations of the
 * committed fixtures, each resealed the way a forger would (policy digest, run id and certificate
 * digest recomputed as sha256 of the canonical JSON), so only the meaning of the certificate can
 * give the forgery away. Three families:
 *
 * - `leaf`: one value changed (numbers scaled, shifted, negated or zeroed; booleans flipped;
 *   statuses replaced by every other status), everything else as recorded.
 * - `loosened`: the issue's forgery: policy thresholds raised (ratio limit, tail limit, spectral
 *   and RMT budgets), then decisions set to pass: guard statuses, validation flags, verdict, and,
 *   in the strongest variant, every derived block recomputed under the loosened policy with the
 *   tool's own derivation (so statistics and gates are consistent with the forged policy).
 * - `guard_flip`: a guard's recorded status set to pass (violations and reason cleared), then every
 *   derived block recomputed, so flags and verdict agree with the flipped status.
 */
import { certificateDigest, policyDigest, type Certificate } from '../../src/report/index.js';
import { runId } from '../../src/report/certificate/certificate-digest.js';
import { deriveEvaluation } from '../../src/report/derive/derive-evaluation.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One forged certificate and what was done to it. */
export interface Mutation {
  readonly family: 'leaf' | 'loosened' | 'guard_flip';
  readonly label: string;
  readonly cert: JsonObject;
}

const STATUSES = ['pass', 'warn', 'fail', 'not_evaluated'];
/** Keys outside the forged meaning: the seals themselves and the timing block (outside the digest). */
const SEALS = new Set(['digest', 'policy_digest', 'run_id', 'timing']);
/** Per-window arrays are long; a few entries of each stand for the rest. */
const PER_ARRAY = 3;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Recomputes the policy digest, run id and certificate digest, as a forger would. */
export function reseal(cert: JsonObject): JsonObject {
  const typed = cert as unknown as Certificate;
  cert.policy_digest = policyDigest(typed.policy);
  cert.run_id = runId(typed);
  cert.digest = certificateDigest(typed);
  return cert;
}

function setAt(root: JsonObject, path: readonly (string | number)[], value: Json): void {
  let node: Json = root;
  for (const key of path.slice(0, -1)) node = (node as JsonObject & Json[])[key as never] as Json;
  (node as JsonObject & Json[])[path.at(-1) as never] = value as never;
}

function leaves(value: Json, path: (string | number)[] = []): { path: (string | number)[]; value: Json }[] {
  if (Array.isArray(value)) return value.slice(0, PER_ARRAY).flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (path.length === 0 && SEALS.has(k) ? [] : leaves(v, [...path, k])));
  }
  return [{ path, value }];
}

function variantsOf(value: Json): Json[] {
  if (typeof value === 'number') return [...new Set([value * 1.2, value + 1, -value, 0, value / 2])].filter((v) => v !== value && Number.isFinite(v));
  if (typeof value === 'boolean') return [!value];
  if (typeof value === 'string' && STATUSES.includes(value)) return STATUSES.filter((s) => s !== value);
  return [];
}

/** Every single-value mutation of a certificate. */
export function leafMutations(cert: Certificate): Mutation[] {
  const base = clone(cert) as unknown as JsonObject;
  const out: Mutation[] = [];
  for (const { path, value } of leaves(base)) {
    for (const variant of variantsOf(value)) {
      const forged = clone(base);
      setAt(forged, path, variant);
      out.push({ family: 'leaf', label: `${path.join('.')} = ${JSON.stringify(variant)}`, cert: reseal(forged) });
    }
  }
  return out;
}

/** Writes every block `buildCertificate` derives, recomputed from the (forged) facts. */
export function rederive(cert: JsonObject): JsonObject {
  const c = cert as unknown as Certificate;
  const go = c.guard_overhead;
  const first = c.verdict.reasons[0];
  const outcome =
    (c.verdict.status === 'error' || c.verdict.status === 'skipped') && first !== undefined && first.gate === 'run'
      ? { status: c.verdict.status, code: first.code, message: first.message }
      : { status: 'completed' as const };
  const d = deriveEvaluation({
    outcome,
    metricKind: c.primary_metric.kind,
    windows: c.windows,
    pairing: c.pairing,
    tokenizers: { baseline: c.models.baseline.tokenizer_hash, subject: c.models.subject.tokenizer_hash, dataset: c.dataset.tokenizer_hash },
    guards: c.guards,
    guardOverhead: go.evaluated && go.bare !== null && go.guarded !== null ? { evaluated: true, bare: go.bare, guarded: go.guarded } : { evaluated: false, reason: go.reason ?? '' },
    policy: c.policy,
    bootstrapSeed: c.primary_metric.seed,
    sequentialPlan: c.sequential === null ? null : { windows: c.sequential.planned.windows, tokens: c.sequential.planned.tokens },
  });
  const derived = clone({ verdict: d.verdict, validation: d.validation, primary_metric: d.primary_metric, windows: d.windows, tail: d.tail, guard_overhead: d.guard_overhead }) as unknown as JsonObject;
  return Object.assign(cert, derived);
}

function passGuard(cert: JsonObject, name: string): void {
  const guards = cert.guards as JsonObject;
  const guard = guards[name] as JsonObject;
  if (guard.evaluated !== true) return;
  guard.status = 'pass';
  guard.violations = [];
  guard.reason = null;
}

function passDecisions(cert: JsonObject): void {
  const validation = cert.validation as JsonObject;
  for (const key of Object.keys(validation)) if (validation[key] !== null) validation[key] = true;
  const verdict = cert.verdict as JsonObject;
  verdict.status = 'pass';
  verdict.reasons = [];
  const tail = cert.tail as JsonObject;
  if (tail.status === 'warn' || tail.status === 'fail') {
    tail.status = 'pass';
    tail.reason = null;
  }
  const pm = cert.primary_metric as JsonObject;
  pm.reason = null;
}

/** The issue's forgery and its variants: loosen the policy, then claim pass. */
export function loosenedMutations(cert: Certificate): Mutation[] {
  const out: Mutation[] = [];
  const ratioLimits = [1.15, 1.2, 1.5, 3];
  const tailLimits = [0.3, 1];
  for (const ratio of ratioLimits) {
    for (const tailLimit of tailLimits) {
      for (const style of ['claimed', 'rederived'] as const) {
        const forged = clone(cert) as unknown as JsonObject;
        const policy = forged.policy as { thresholds: { primary_metric: JsonObject; tail: JsonObject; spectral: JsonObject; rmt: { epsilon: JsonObject }; catastrophe_ratio: number } };
        const t = policy.thresholds;
        t.primary_metric.ratio_limit = ratio;
        t.primary_metric.accuracy_delta_limit_pp = -50;
        t.tail.p95_limit = tailLimit;
        t.spectral.max_caps = 1000;
        t.spectral.deadband = 0.5;
        for (const family of Object.keys(t.rmt.epsilon)) t.rmt.epsilon[family] = 1;
        t.catastrophe_ratio = 100;
        for (const guard of ['invariants', 'spectral', 'rmt', 'variance']) passGuard(forged, guard);
        const pm = forged.primary_metric as JsonObject;
        pm.limit = pm.kind === 'accuracy' ? -50 : ratio;
        (forged.tail as JsonObject).limit = tailLimit;
        if (style === 'claimed') passDecisions(forged);
        else rederive(forged);
        out.push({ family: 'loosened', label: `ratio ≤ ${ratio}, tail ≤ ${tailLimit}, ${style}`, cert: reseal(forged) });
      }
    }
  }
  return out;
}

/**
 * The forgery of issue 13 exactly: ratio limit 1.2 (policy and `primary_metric.limit`), tail limit
 * 0.3, spectral and RMT statuses pass, every validation flag and the verdict pass, sealed again.
 */
export function issueForgery(cert: Certificate): JsonObject {
  const forged = clone(cert) as unknown as JsonObject;
  const c = forged as unknown as { policy: { thresholds: { primary_metric: JsonObject; tail: JsonObject } }; primary_metric: JsonObject; tail: JsonObject; guards: Record<string, JsonObject> };
  c.policy.thresholds.primary_metric.ratio_limit = 1.2;
  c.primary_metric.limit = 1.2;
  c.policy.thresholds.tail.p95_limit = 0.3;
  c.tail.limit = 0.3;
  for (const guard of ['spectral', 'rmt']) passGuard(forged, guard);
  passDecisions(forged);
  return reseal(forged);
}

/** A guard's status flipped to pass, everything derived from it recomputed. */
export function guardFlipMutations(cert: Certificate): Mutation[] {
  const out: Mutation[] = [];
  for (const guard of ['invariants', 'spectral', 'rmt', 'variance'] as const) {
    const status = cert.guards[guard].status;
    if (status !== 'fail' && status !== 'warn') continue;
    for (const style of ['claimed', 'rederived'] as const) {
      const forged = clone(cert) as unknown as JsonObject;
      passGuard(forged, guard);
      if (style === 'rederived') rederive(forged);
      else {
        const flag = { invariants: 'invariants_pass', spectral: 'spectral_stable', rmt: 'rmt_stable', variance: null }[guard];
        if (flag !== null) (forged.validation as JsonObject)[flag] = true;
      }
      out.push({ family: 'guard_flip', label: `${guard} ${status} → pass, ${style}`, cert: reseal(forged) });
    }
  }
  return out;
}

/**
 * What a certificate decided: verdict, validation flags, guard statuses and the tail status. A
 * forgery that verify accepts and that changes any of these changed a decision.
 */
export function decisionsOf(cert: JsonObject): string {
  const c = cert as unknown as Certificate;
  return JSON.stringify({
    verdict: c.verdict.status,
    validation: c.validation,
    guards: Object.fromEntries((['invariants', 'spectral', 'rmt', 'variance'] as const).map((g) => [g, c.guards[g].status])),
    tail: c.tail.status,
  });
}
