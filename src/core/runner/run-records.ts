import { graphFiles, type LoadedModel, type WeightReplacements } from '../../adapters/index.js';
import type { EditName } from '../../edits/index.js';
import type { ScoringModel } from '../../eval/index.js';
import type { JsonValue, ModelInput } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import { formatsOf, type OpenedModel } from './open-model.js';
import { quantizationFormatsOf } from './quantization-formats.js';

/** One subject of a run: a built-in edit of the baseline, a given model, or a LoRA adapter merged into the baseline. */
export type SubjectSpec =
  | { readonly kind: 'edit'; readonly name: EditName; readonly config: Readonly<Record<string, unknown>> }
  | { readonly kind: 'model'; readonly label: string; readonly model: string }
  | { readonly kind: 'lora'; readonly label: string; readonly path: string; readonly weight: number };

/**
 * The scoring input of a model: its own files, plus the tensors an edit replaced (written beside
 * copies of the rest when scored). A seq2seq model brings its encoder too, with its own replacements.
 */
export function scoringModelOf(model: LoadedModel, source: string, replace: WeightReplacements | null): ScoringModel {
  const encoderGraph = model.encoder;
  const encoder =
    encoderGraph === null
      ? null
      : { source: `${source} (encoder)`, index: encoderGraph.index, io: encoderGraph.io, files: graphFiles(encoderGraph), ...(replace === null ? {} : { replace: replace.encoder }) };
  return { source, index: model.graph.index, io: model.graph.io, files: graphFiles(model.graph), ...(replace === null ? {} : { replace: replace.main }), encoder };
}

/** One line for the apply stage's progress event. */
export function describeSpec(spec: SubjectSpec): string {
  switch (spec.kind) {
    case 'edit':
      return `edit ${spec.name}`;
    case 'model':
      return `subject ${spec.model}`;
    case 'lora':
      return `LoRA adapter ${spec.path}`;
    default: {
      const never: never = spec;
      return never;
    }
  }
}

/** A model's identity record for the certificate. */
export function modelInputOf(opened: OpenedModel, label: string, lora: ModelInput['lora_adapters']): ModelInput {
  const d = opened.description;
  const ref = opened.resolved.reference;
  return {
    reference: opened.reference,
    label,
    revision: ref.kind === 'hf' ? ref.commit : null,
    file_sha256: opened.fileSha256,
    adapter: opened.model.adapter,
    describe: {
      model_type: d.modelType === '' ? null : d.modelType,
      layers: d.nLayer,
      hidden_size: d.hiddenSize,
      heads: d.nHeads,
      vocab_size: d.vocabSize,
      parameters: d.parameterCount,
      opset: opened.model.graph.index.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? null,
    },
    quantization_formats: quantizationFormatsOf(formatsOf(d)),
    lora_adapters: lora,
    tokenizer_hash: opened.model.tokenizer?.hash ?? null,
    interface: {
      provenance: d.interface.provenance,
      origin: d.interface.origin,
      naming: d.interface.naming.source,
      shared_tensors: d.sharedTensors.map((t) => ({ tensor: t.tensor, uses: t.keys.length })),
      warnings: d.interface.warnings,
    },
  };
}

/** The last path segment of a reference, for labels (`./models/gpt2/` → `gpt2`). */
export function lastSegment(reference: string): string {
  const trimmed = reference.replace(/[\\/]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1) || reference;
}

/**
 * The resolved configuration as JSON (only its digest goes into the certificate), without the
 * settings that say where files go rather than what is measured: output folder, cache folder and a
 * reused baseline evaluation (reuse requires equal hashes, so the numbers are the same).
 */
export function configRecord(config: RunConfig): JsonValue {
  // the memory budget decides how a run is carried out (batches, workers), not what it measures
  const { outputDir: _out, cacheDir: _cache, baselineEval: _reuse, maxMemoryBytes: _memory, metric, ...measured } = config;
  // the default metric is left out, so certificates of perplexity runs read as before `metric` existed
  return JSON.parse(JSON.stringify(metric === 'perplexity' ? measured : { ...measured, metric })) as JsonValue;
}
