import configSchema from '../../../contracts/config.schema.json' with { type: 'json' };
import interfacesSchema from '../../../contracts/model_interfaces.schema.json' with { type: 'json' };
import type { AdapterName } from '../../adapters/index.js';
import { compileSchema, type ProfileName, type TierName } from '../../contracts/index.js';
import type { EditName } from '../../edits/index.js';
import type { DeviceRequest } from '../../eval/index.js';
import { InvarlockError } from '../../errors/index.js';
import { parseByteSize } from '../resources/byte-size.js';

/** The config file / flag / input record exactly as contracts/config.schema.json describes it. */
export interface RunConfigFile {
  readonly baseline: string;
  readonly subjects?: readonly { readonly label?: string; readonly model: string }[];
  readonly subject_lora?: readonly { readonly label?: string; readonly path: string; readonly weight?: number }[];
  readonly edit?: { readonly name: EditName; readonly config?: Readonly<Record<string, unknown>> };
  readonly adapter?: AdapterChoice;
  readonly profile?: ProfileName;
  readonly tier?: TierName;
  readonly metric?: MetricChoice;
  readonly dataset?: {
    readonly provider?: string;
    readonly path?: string;
    readonly split?: 'test' | 'validation' | 'train';
    readonly seq_len?: number;
    readonly stride?: number;
    readonly preview_n?: number;
    readonly final_n?: number;
    readonly dedupe?: boolean;
  };
  readonly seed?: number;
  readonly batch_size?: 'auto' | number;
  readonly device?: DeviceChoice;
  readonly threads?: number;
  readonly max_memory?: string | number;
  readonly allow_network?: boolean;
  readonly cache_dir?: string;
  readonly baseline_eval?: string;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly sequential?: { readonly looks: number };
  readonly output_dir?: string;
  readonly runtime_image_digest?: string;
  readonly guards?: { readonly invariants?: 'on' | 'off' | 'strict'; readonly spectral?: OnOff; readonly rmt?: OnOff; readonly variance?: OnOff };
  readonly model_interface?: Readonly<Record<string, unknown>>;
}

type OnOff = 'on' | 'off';
/**
 * The primary metric: `perplexity`, the model's own (perplexity, pseudo-perplexity, accuracy);
 * `nll_per_byte`, NLL per UTF-8 byte of paired text spans that each model tokenizes with its own
 * tokenizer (causal models; a subject whose tokenizer differs from the baseline's).
 */
export type MetricChoice = 'perplexity' | 'nll_per_byte';
export type { EditName, ProfileName, TierName };
/** An adapter name, or `auto` (picked from the model). */
export type AdapterChoice = 'auto' | AdapterName;
export type DeviceChoice = DeviceRequest;

/** One subject of a compare run: a given checkpoint, or the baseline with a PEFT adapter merged. */
export type SubjectSpec =
  | { readonly kind: 'model'; readonly label: string; readonly model: string }
  | { readonly kind: 'lora'; readonly label: string; readonly path: string; readonly weight: number };

/** What the run certifies: given subjects against the baseline, or the baseline with a built-in edit. */
export type RunMode =
  | { readonly kind: 'compare'; readonly subjects: readonly SubjectSpec[] }
  | { readonly kind: 'edit'; readonly edit: { readonly name: EditName; readonly config: Readonly<Record<string, unknown>> } };

/** A fully resolved run configuration: every optional field has its default; nothing is undefined. */
export interface RunConfig {
  readonly baseline: string;
  readonly mode: RunMode;
  readonly adapter: AdapterChoice;
  readonly profile: ProfileName;
  readonly tier: TierName;
  readonly metric: MetricChoice;
  readonly dataset: {
    readonly provider: string;
    readonly path: string | null;
    readonly split: 'test' | 'validation' | 'train';
    readonly seqLen: number;
    /** Equals seqLen unless set: non-overlapping windows. */
    readonly stride: number;
    /** null: take the profile's count. */
    readonly previewN: number | null;
    readonly finalN: number | null;
    readonly dedupe: boolean;
  };
  readonly seed: number;
  readonly batchSize: 'auto' | number;
  readonly device: DeviceChoice;
  /** 0 lets onnxruntime choose. */
  readonly threads: number;
  /** `--max-memory` in bytes; null: the machine's free memory (see core/resources). */
  readonly maxMemoryBytes: number | null;
  readonly allowNetwork: boolean;
  readonly cacheDir: string | null;
  readonly baselineEval: string | null;
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** Early stopping: the final windows in this many looks (null: one look, the fixed-sample gate). */
  readonly sequential: { readonly looks: number } | null;
  readonly outputDir: string;
  readonly runtimeImageDigest: string | null;
  readonly guards: { readonly invariants: 'on' | 'off' | 'strict'; readonly spectral: OnOff; readonly rmt: OnOff; readonly variance: OnOff };
  readonly modelInterface: Readonly<Record<string, unknown>> | null;
}

/** Defaults of every optional config key; a test checks each against the schema's `default`. */
export const CONFIG_DEFAULTS = Object.freeze({
  adapter: 'auto',
  profile: 'ci',
  tier: 'balanced',
  metric: 'perplexity',
  provider: 'wikitext2',
  split: 'test',
  seq_len: 128,
  dedupe: true,
  seed: 42,
  batch_size: 'auto',
  device: 'auto',
  threads: 0,
  allow_network: false,
  output_dir: 'invarlock-out',
  lora_weight: 1,
  guard: 'on',
} as const);

const validateFile = compileSchema<RunConfigFile>(configSchema, { references: [interfacesSchema] });

/** Parses an unknown record against contracts/config.schema.json. Throws `E_CONFIG_INVALID` listing every problem. */
export function parseRunConfigFile(value: unknown, source: string): RunConfigFile {
  return validateFile(value, { source, code: 'E_CONFIG_INVALID' });
}

/**
 * Resolves a validated config record into a {@link RunConfig}: defaults filled, subjects labelled,
 * the run mode decided. Throws `E_CONFIG_INVALID` when the record names no subject and no edit, or both.
 */
export function resolveRunConfig(file: RunConfigFile, source = 'config'): RunConfig {
  const subjects: SubjectSpec[] = [
    ...(file.subjects ?? []).map((s, i): SubjectSpec => ({ kind: 'model', label: s.label ?? defaultLabel(s.model, i), model: s.model })),
    ...(file.subject_lora ?? []).map((s, i): SubjectSpec => ({
      kind: 'lora',
      label: s.label ?? `lora:${defaultLabel(s.path, i)}`,
      path: s.path,
      weight: s.weight ?? CONFIG_DEFAULTS.lora_weight,
    })),
  ];
  if (subjects.length > 0 && file.edit !== undefined) {
    throw new InvarlockError('E_CONFIG_INVALID', `${source}: give either subjects/subject_lora (compare mode) or edit (edit mode), not both`, {
      details: { file: source, field: 'edit' },
    });
  }
  if (subjects.length === 0 && file.edit === undefined) {
    throw new InvarlockError('E_CONFIG_INVALID', `${source}: nothing to certify: set subjects, subject_lora or edit`, {
      details: { file: source, field: 'subjects' },
      hint: 'CLI: --subject DIR, --subject-lora DIR or --edit quant_rtn',
    });
  }
  const labels = new Set<string>();
  for (const s of subjects) {
    if (labels.has(s.label)) {
      throw new InvarlockError('E_CONFIG_INVALID', `${source}: two subjects share the label '${s.label}'`, { details: { file: source, field: 'subjects' } });
    }
    labels.add(s.label);
  }
  const mode: RunMode =
    file.edit !== undefined ? { kind: 'edit', edit: { name: file.edit.name, config: file.edit.config ?? {} } } : { kind: 'compare', subjects };
  const seqLen = file.dataset?.seq_len ?? CONFIG_DEFAULTS.seq_len;
  if (file.shard !== undefined && file.shard.index >= file.shard.count) {
    throw new InvarlockError('E_CONFIG_INVALID', `${source}: shard index ${file.shard.index} is not below count ${file.shard.count}`, {
      details: { file: source, field: 'shard.index' },
    });
  }
  if (file.sequential !== undefined && file.shard !== undefined) {
    // a shard scores every n-th window; the looks need the plan's order on one machine
    throw new InvarlockError('E_CONFIG_INVALID', `${source}: sequential looks and shard cannot be combined`, { details: { file: source, field: 'sequential' } });
  }
  return {
    baseline: file.baseline,
    mode,
    adapter: file.adapter ?? CONFIG_DEFAULTS.adapter,
    profile: file.profile ?? CONFIG_DEFAULTS.profile,
    tier: file.tier ?? CONFIG_DEFAULTS.tier,
    metric: file.metric ?? CONFIG_DEFAULTS.metric,
    dataset: {
      provider: file.dataset?.provider ?? CONFIG_DEFAULTS.provider,
      path: file.dataset?.path ?? null,
      split: file.dataset?.split ?? CONFIG_DEFAULTS.split,
      seqLen,
      stride: file.dataset?.stride ?? seqLen,
      previewN: file.dataset?.preview_n ?? null,
      finalN: file.dataset?.final_n ?? null,
      dedupe: file.dataset?.dedupe ?? CONFIG_DEFAULTS.dedupe,
    },
    seed: file.seed ?? CONFIG_DEFAULTS.seed,
    batchSize: file.batch_size ?? CONFIG_DEFAULTS.batch_size,
    device: file.device ?? CONFIG_DEFAULTS.device,
    threads: file.threads ?? CONFIG_DEFAULTS.threads,
    maxMemoryBytes: file.max_memory === undefined ? null : parseByteSize(file.max_memory, 'max_memory'),
    allowNetwork: file.allow_network ?? CONFIG_DEFAULTS.allow_network,
    cacheDir: file.cache_dir ?? null,
    baselineEval: file.baseline_eval ?? null,
    shard: file.shard ?? null,
    sequential: file.sequential ?? null,
    outputDir: file.output_dir ?? CONFIG_DEFAULTS.output_dir,
    runtimeImageDigest: file.runtime_image_digest ?? null,
    guards: {
      invariants: file.guards?.invariants ?? CONFIG_DEFAULTS.guard,
      spectral: file.guards?.spectral ?? CONFIG_DEFAULTS.guard,
      rmt: file.guards?.rmt ?? CONFIG_DEFAULTS.guard,
      variance: file.guards?.variance ?? CONFIG_DEFAULTS.guard,
    },
    modelInterface: file.model_interface ?? null,
  };
}

function defaultLabel(ref: string, index: number): string {
  const trimmed = ref.replace(/[\\/]+$/, '');
  const base = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  return base === '' ? `subject-${index + 1}` : base;
}
