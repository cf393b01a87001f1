import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { WindowPlan } from '../../eval/index.js';
import type { CertificateInput, JsonValue, WindowArmInput } from '../../report/index.js';

/** Which part of the windows a shard job evaluates: `index` in `0 … count − 1`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/**
 * One shard job's result for one subject: its share of the final arm's paired losses plus everything
 * else the certificate needs, which every shard computes identically: the whole preview arm, the
 * guards (the variance guard's scales and A/B read the preview arm, RMT the calibration windows),
 * models, policy. Merged by {@link aggregateShards}; per-window results merge exactly, so the
 * aggregate equals one big run.
 */
export interface ShardPartial {
  readonly format: 'invarlock.shard-partial/v1';
  readonly label: string;
  readonly shard: ShardSpec;
  /** The full plan's window ids per arm, in plan order, and its dataset hash: every shard must agree. */
  readonly plan: { readonly preview: readonly string[]; readonly final: readonly string[]; readonly datasetHash: string };
  readonly input: CertificateInput;
}

/** The windows of a shard: every `count`-th window of the final arm, starting at `index` (deterministic, balanced). */
export function shardWindows<T>(windows: readonly T[], shard: ShardSpec): T[] {
  return windows.filter((_, i) => i % shard.count === shard.index);
}

/** A partial record for a shard job. */
export function makeShardPartial(label: string, shard: ShardSpec, plan: WindowPlan, input: CertificateInput): ShardPartial {
  return {
    format: 'invarlock.shard-partial/v1',
    label,
    shard,
    plan: { preview: plan.preview.map((w) => w.id), final: plan.final.map((w) => w.id), datasetHash: plan.hashes.dataset },
    input,
  };
}

function fail(message: string, field: string): never {
  throw new InvarlockError('E_CONFIG_INVALID', `cannot aggregate shards: ${message}`, { details: { field }, hint: 'Give every shard job of one plan (same config and seed, shard 1/n … n/n), each once.' });
}

/**
 * What must be equal across the shards of one run: everything except the final arm's windows, the
 * pairing, timing and the shard itself (the preview arm and the guards included).
 */
function invariantPart(p: ShardPartial): string {
  const { windows, pairing: _p, timing: _t, config, ...rest } = p.input;
  const { shard: _s, ...configRest } = config as { readonly [key: string]: JsonValue };
  return sha256Hex(canonicalJson({ label: p.label, plan: p.plan, count: p.shard.count, rest, preview: windows.preview as unknown as JsonValue, config: configRest }));
}

/** Merges the arm windows of all shards back into plan order. */
function mergeArm(order: readonly string[], arms: readonly WindowArmInput[], arm: string): WindowArmInput {
  const byId = new Map<string, { weight: number; baseline: number; subject: number }>();
  for (const a of arms) {
    a.ids.forEach((id, i) => {
      if (byId.has(id)) fail(`window ${id} of the ${arm} arm appears in two shards`, `windows.${arm}`);
      byId.set(id, { weight: a.weights[i]!, baseline: a.baseline[i]!, subject: a.subject[i]! });
    });
  }
  const present = order.filter((id) => byId.has(id));
  if (present.length !== byId.size) fail(`the ${arm} arm holds windows outside the plan`, `windows.${arm}`);
  return {
    ids: present,
    weights: present.map((id) => byId.get(id)!.weight),
    baseline: present.map((id) => byId.get(id)!.baseline),
    subject: present.map((id) => byId.get(id)!.subject),
  };
}

/**
 * Merges the partial results of one subject's shard jobs into one certificate input: checks that
 * they are the complete set (every index once, same plan, same configuration apart from `shard`,
 * same preview arm, guards and models), puts the final arm's windows back in plan order, sums the
 * final arm's pairing counts, and spans the timing. Every shard scored the whole preview arm, so each
 * applied the catastrophe rule as a single run would, and they agree.
 * Throws `E_CONFIG_INVALID` naming what does not fit.
 */
export function aggregateShards(partials: readonly ShardPartial[]): CertificateInput {
  if (partials.length === 0) fail('no partial results', 'shards');
  const first = partials[0]!;
  const count = first.shard.count;
  const indices = new Set(partials.map((p) => p.shard.index));
  if (partials.length !== count || indices.size !== count || [...indices].some((i) => i < 0 || i >= count)) {
    fail(`expected shards 0…${count - 1} once each, got ${[...partials.map((p) => p.shard.index)].sort((a, b) => a - b).join(', ')}`, 'shard.index');
  }
  const reference = invariantPart(first);
  for (const p of partials) {
    if (p.format !== 'invarlock.shard-partial/v1') fail(`unknown format ${String(p.format)}`, 'format');
    if (p.shard.count !== count) fail(`shard ${p.shard.index} says ${p.shard.count} shards, shard 0 says ${count}`, 'shard.count');
    if (invariantPart(p) !== reference) fail(`shard ${p.shard.index} differs from shard ${first.shard.index} in configuration, plan, preview arm, models or guards`, 'shard');
  }
  const final = mergeArm(first.plan.final, partials.map((p) => p.input.windows.final), 'final');
  const pairings = partials.map((p) => p.input.pairing);
  const matches = pairings.map((p) => p.match).filter((m): m is number => m !== null);
  const overlaps = pairings.map((p) => p.overlap).filter((o): o is number => o !== null);
  const finalCount = (side: 'baseline' | 'subject') => pairings.reduce((acc, p) => acc + p.counts[side].final, 0);
  const counts = first.input.pairing.counts;
  const timings = partials.map((p) => p.input.timing);
  const started = timings.map((t) => t.started_at).sort()[0]!;
  const finished = timings.map((t) => t.finished_at).sort().at(-1)!;
  const { shard: _shard, ...config } = first.input.config as { readonly [key: string]: JsonValue };
  return {
    ...first.input,
    windows: { preview: first.input.windows.preview, final },
    config: { ...config, shard: null },
    pairing: {
      match: matches.length === pairings.length ? Math.min(...matches) : null,
      overlap: overlaps.length === pairings.length ? Math.max(...overlaps) : null,
      duplicates: first.input.pairing.duplicates,
      counts: {
        baseline: { preview: counts.baseline.preview, final: finalCount('baseline') },
        subject: { preview: counts.subject.preview, final: finalCount('subject') },
      },
      reason: pairings.find((p) => p.reason !== null)?.reason ?? null,
    },
    timing: {
      started_at: started,
      finished_at: finished,
      duration_ms: Math.max(0, Date.parse(finished) - Date.parse(started)),
      stages: partials.flatMap((p) => p.input.timing.stages.map((s) => ({ name: `shard${p.shard.index}:${s.name}`, duration_ms: s.duration_ms }))),
      // shards ran on different machines: the first shard's plan stands for them
      resources: first.input.timing.resources ?? null,
    },
  };
}
