import { InvarlockError } from '../../errors/index.js';
import { mergeConfig, parseConfigText, resolveRunConfig, type RunConfig, type RunConfigFile } from '../../core/index.js';
import type { ExecutionInputs, PlanInputs } from '../types.js';

/** Options of {@link buildPlan}. */
export interface BuildPlanOptions {
  readonly inputs: PlanInputs;
  readonly network: ExecutionInputs['network'];
  /** Text of the `config` file, or null when none was given. */
  readonly configText: string | null;
  /** Name of the config for messages (its path), or `Action inputs`. */
  readonly source: string;
}

/** The run plan: the config file with the inputs laid over it, validated and resolved. */
export interface BuiltPlan {
  /** The record written to plan.json (before a launcher sets paths), valid against contracts/config.schema.json. */
  readonly file: RunConfigFile;
  /** The same plan with every default filled (cache keys read it). */
  readonly config: RunConfig;
  /** Dotted plan keys whose value came from an Action input (annotations point at the workflow for those). */
  readonly fromInputs: ReadonlySet<string>;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Lays the Action inputs over the config file. Inputs that choose what to certify (`subject`,
 * `subject-lora`, `edit`) replace the file's whole choice; scalar inputs replace the file's value;
 * `dataset` inputs merge key by key. `allow_network` always follows the `allow-network` input, which
 * also decides the container's network. Throws `E_CONFIG_PARSE` / `E_CONFIG_INVALID` (via core) and
 * `E_ACTION_INPUT` when the plan names more than one subject (the Action certifies one per run).
 */
export function buildPlan(options: BuildPlanOptions): BuiltPlan {
  const { inputs } = options;
  let file: Record<string, unknown> = {};
  if (options.configText !== null) {
    const parsed = parseConfigText(options.configText, options.source);
    if (!isRecord(parsed)) {
      throw new InvarlockError('E_CONFIG_INVALID', `${options.source} must be a mapping of config keys`, { details: { file: options.source } });
    }
    file = { ...parsed };
  }
  const overrides: Record<string, unknown> = {};
  const fromInputs = new Set<string>();
  const set = (key: string, value: unknown, dotted = key): void => {
    overrides[key] = value;
    fromInputs.add(dotted);
  };
  if (inputs.baseline !== null) set('baseline', inputs.baseline);
  if (inputs.subject !== null || inputs.subjectLora !== null || inputs.edit !== null) {
    delete file['subjects'];
    delete file['subject_lora'];
    delete file['edit'];
  }
  if (inputs.subject !== null) set('subjects', [{ model: inputs.subject }], 'subjects.0.model');
  if (inputs.subjectLora !== null) set('subject_lora', [{ path: inputs.subjectLora }], 'subject_lora.0.path');
  if (inputs.edit !== null) {
    set('edit', { name: inputs.edit, ...(inputs.editConfig === null ? {} : { config: inputs.editConfig }) }, 'edit.name');
  } else if (inputs.editConfig !== null) {
    const fileEdit = file['edit'];
    set('edit', { ...(isRecord(fileEdit) ? fileEdit : {}), config: inputs.editConfig }, 'edit.config');
  }
  if (inputs.adapter !== null) set('adapter', inputs.adapter);
  if (inputs.profile !== null) set('profile', inputs.profile);
  if (inputs.tier !== null) set('tier', inputs.tier);
  const dataset: Record<string, unknown> = {};
  if (inputs.dataset !== null) dataset['provider'] = inputs.dataset;
  if (inputs.seqLen !== null) dataset['seq_len'] = inputs.seqLen;
  if (inputs.previewN !== null) dataset['preview_n'] = inputs.previewN;
  if (inputs.finalN !== null) dataset['final_n'] = inputs.finalN;
  if (Object.keys(dataset).length > 0) {
    overrides['dataset'] = dataset;
    for (const key of Object.keys(dataset)) fromInputs.add(`dataset.${key}`);
  }
  if (inputs.seed !== null) set('seed', inputs.seed);
  if (inputs.batchSize !== null) set('batch_size', inputs.batchSize);
  if (inputs.device !== null) set('device', inputs.device);
  if (inputs.shard !== null) set('shard', { index: inputs.shard.index, count: inputs.shard.count });
  if (inputs.cacheDir !== null) set('cache_dir', inputs.cacheDir);
  overrides['allow_network'] = options.network === 'allowed';
  const merged = mergeConfig(file, overrides, options.source);
  const config = resolveRunConfig(merged, options.source);
  if (config.mode.kind === 'compare' && config.mode.subjects.length > 1) {
    throw new InvarlockError('E_ACTION_INPUT', `${options.source} names ${config.mode.subjects.length} subjects; the Action certifies one per run`, {
      details: { file: options.source, field: 'subjects' },
      hint: 'Use a job matrix with one subject per job, or run the CLI directly for a multi-subject report.',
    });
  }
  return { file: merged, config, fromInputs };
}
