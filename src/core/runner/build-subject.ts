import { resolve } from 'node:path';
import { readWeights, weightReplacements, type LoadedModel } from '../../adapters/index.js';
import { applyEdit, applyEditResult, type EditPlan, type EditResult, type WeightMatrix } from '../../edits/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { ScoringModel } from '../../eval/index.js';
import type { ChangeInput, JsonValue, ModelInput } from '../../report/index.js';
import { resolveEditPlan } from './edit-plan.js';
import type { BoundScoring, Evaluation } from './objective.js';
import { requireTokenizer, type OpenedModel } from './open-model.js';
import { lastSegment, modelInputOf, scoringModelOf, type SubjectSpec } from './run-records.js';

/** A subject made ready to score: its identity, what changed, the graph to score and how to score it. */
export interface BuiltSubject {
  readonly identity: ModelInput;
  readonly change: ChangeInput;
  readonly scoringModel: ScoringModel;
  /** The loaded model the subject's graph and weights come from (the baseline's for an edit). */
  readonly loaded: LoadedModel;
  /** Its weights for the guards; null when no weight guard runs in compare mode. */
  readonly weights: readonly WeightMatrix[] | null;
  readonly tokenizerHash: string;
  /** The built-in edit's result (edit mode); null for a compared model or adapter. */
  readonly edit: EditResult | null;
  readonly scoring: BoundScoring;
}

/** What {@link buildSubject} needs of the run. */
export interface SubjectSource {
  readonly baseline: OpenedModel;
  /** Whether a guard reads weights (a compared model's are then read too). */
  readonly readsWeights: boolean;
  readonly evaluation: Evaluation;
  readonly cwd: string;
  readonly open: (reference: string) => Promise<OpenedModel>;
}

/**
 * Builds one subject: opens a compared model (which must tokenize the evaluation text like the
 * baseline and be scorable against it), or applies a built-in edit or a LoRA adapter to the
 * baseline's weights and writes the edited graph in memory.
 *
 * @throws `E_TOKENIZER_MISMATCH` when a compared model's tokenizer gives other ids; the objective's
 *   binding errors (a classifier over other labels); edit and model-loading errors.
 */
export async function buildSubject(source: SubjectSource, spec: SubjectSpec): Promise<BuiltSubject> {
  const baseline = source.baseline;
  const baseModel = baseline.model;
  if (spec.kind === 'model') {
    const opened = await source.open(spec.model);
    assertSameTokenization(source.evaluation, baseModel, opened.model);
    const scoring = source.evaluation.bind(opened.model);
    return {
      identity: modelInputOf(opened, spec.label, []),
      change: { kind: 'compare', label: spec.label, params_changed: null, modules_touched: null },
      scoringModel: scoringModelOf(opened.model, spec.model, null),
      loaded: opened.model,
      weights: source.readsWeights ? readWeights(opened.model) : null,
      tokenizerHash: requireTokenizer(opened.model).hash,
      edit: null,
      scoring,
    };
  }
  const resolvePath = (p: string) => resolve(source.cwd, p);
  const plan: EditPlan =
    spec.kind === 'edit' ? await resolveEditPlan(spec.name, spec.config, resolvePath) : await resolveEditPlan('lora', { adapters: [{ path: spec.path, weight: spec.weight }] }, resolvePath);
  const matrices = readWeights(baseModel);
  const edit = applyEdit(plan, matrices);
  const replace = weightReplacements(baseModel, edit.changed);
  const loraAdapters =
    plan.name === 'lora'
      ? plan.config.adapters.map((a) => ({ reference: a.adapter.source, sha256: a.adapter.digest, rank: a.adapter.config.r, alpha: a.adapter.config.loraAlpha, weight: a.weight }))
      : [];
  const label = spec.kind === 'edit' ? `${lastSegment(baseline.reference)} + ${plan.name}` : spec.label;
  const editConfig = JSON.parse(JSON.stringify(edit.config)) as { readonly [key: string]: JsonValue };
  return {
    identity: { ...modelInputOf(baseline, label, loraAdapters), file_sha256: null },
    change:
      spec.kind === 'edit'
        ? { kind: 'edit', name: plan.name, config: editConfig, params_changed: edit.paramsChanged, modules_touched: edit.modulesTouched, rolled_back: false }
        : { kind: 'compare', label: spec.label, params_changed: edit.paramsChanged, modules_touched: edit.modulesTouched },
    scoringModel: scoringModelOf(baseModel, label, replace),
    loaded: baseModel,
    weights: applyEditResult(matrices, edit),
    tokenizerHash: requireTokenizer(baseModel).hash,
    edit: spec.kind === 'edit' ? edit : null,
    scoring: source.evaluation.bind(baseModel),
  };
}

/** A compared subject must turn the evaluation text into the same ids: same tokenizer, or ids equal on the probes (none under nll_per_byte, where each model tokenizes the spans itself). */
function assertSameTokenization(evaluation: Evaluation, baseline: LoadedModel, subject: LoadedModel): void {
  const base = requireTokenizer(baseline);
  const other = requireTokenizer(subject);
  if (base.hash === other.hash) return;
  for (const probe of evaluation.tokenizationProbes) {
    const a = base.encode(probe.text);
    const b = other.encode(probe.text);
    if (a.length !== b.length || a.some((id, k) => id !== b[k])) {
      throw new InvarlockError('E_TOKENIZER_MISMATCH', `the subject's tokenizer gives different ids than the baseline's (${probe.where})`, {
        details: { file: other.source, expected: base.hash, actual: other.hash, field: probe.field },
        hint: 'Perplexity pairs the same token ids, so both models must share a tokenizer; for a causal LM with another tokenizer use --metric nll_per_byte (per byte of the same text).',
      });
    }
  }
}
