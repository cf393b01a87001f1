import { basename, dirname, join } from 'node:path';
import { InvarlockError } from '../../errors/index.js';
import { resolveModel, type ResolvedModel } from '../../hub/index.js';
import { openModelFile } from '../../onnx/index.js';
import { readGenaiConfig } from '../config/genai-config.js';
import { CONFIG_JSON, readModelConfig } from '../config/model-config.js';
import { chooseGraphFiles } from '../files/choose-graph-files.js';
import { describeEncoderIo, describeIo } from '../io/describe-io.js';
import { chooseAdapter } from '../select/choose-adapter.js';
import { assertIdsFitVocab, loadTokenizer, type LoadedTokenizer } from '../tokenizer/index.js';
import type { AdapterName, AdapterSelection, EncoderIo, LoadedGraph, LoadedModel, LoadOptions, ModelLocation } from '../types.js';
import { detectTying } from '../weights/detect-tying.js';
import { mapModelWeights } from '../weights/map-weights.js';
import { createGraphStore } from './graph-store.js';

/** Defaults of {@link LoadOptions}. */
export const LOAD_DEFAULTS = Object.freeze({ tokenizer: 'required' } as const);

/** Options of {@link loadModel}: {@link LoadOptions} plus which adapter. */
export interface LoadModelOptions extends LoadOptions {
  /** The adapter, or `auto` to choose one with `chooseAdapter`. @default 'auto' */
  readonly adapter?: AdapterName | 'auto';
}

/**
 * Loads a model: resolves the reference (a string goes through the hub layer, local paths only
 * unless the hub is told otherwise — pass a resolved {@link ModelLocation} for `hf:` references),
 * reads config.json / genai_config.json, chooses the adapter and the ONNX file(s), indexes them (no
 * weight data is decoded), derives the IO, maps every weight with the model interface, detects
 * tying from the data, and loads the tokenizer and checks its ids fit the embedding table.
 *
 * @throws InvarlockError `E_CONFIG_JSON` when neither config.json nor genai_config.json exists, or one
 *   is malformed (`details.file`, `details.field`); `E_ADAPTER_UNKNOWN`; `E_MODEL_REF`,
 *   `E_FILE_NOT_FOUND`, `E_MODEL_PARSE`… from the hub and onnx layers; `E_ADAPTER_IO` (see
 *   `describeIo`); `E_INTERFACE_INVALID` for a user interface (see `mapModelWeights`: without one,
 *   a graph no bundled interface resolves is mapped by its structure, never refused); `E_TOKENIZER_MISSING`, `E_TOKENIZER_INVALID` from the tokenizer.
 */
export async function loadModel(location: ModelLocation | string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const resolved = typeof location === 'string' ? toModelLocation(await resolveModel(location)) : location;
  const [config, genaiConfig] = await Promise.all([readModelConfig(resolved.dir), readGenaiConfig(resolved.dir)]);
  if (config === null && genaiConfig === null) {
    throw new InvarlockError('E_CONFIG_JSON', `No config.json (or genai_config.json) in ${resolved.dir}`, {
      details: { file: join(resolved.dir, CONFIG_JSON), field: 'model_type' },
      hint: 'Keep the config.json the model was exported with next to the ONNX file (optimum and transformers.js exports include it).',
    });
  }
  const requested = options.adapter ?? 'auto';
  const selection: AdapterSelection =
    requested === 'auto'
      ? chooseAdapter({ config, genaiConfig, onnxFiles: resolved.onnxFiles.map((f) => basename(f)) })
      : { adapter: requested, source: 'caller', reason: `adapter: ${requested}` };
  const adapter = selection.adapter;
  const files = chooseGraphFiles(resolved, adapter, genaiConfig);

  const main = openGraph(files.main, (index, path) => describeIo(index.graph, { adapter, genai: genaiConfig?.decoder ?? null, source: path }));
  const encoder = files.encoder === null ? null : openGraph<EncoderIo>(files.encoder, (index, path) => describeEncoderIo(index.graph, path));
  const modelType = config?.modelType ?? genaiConfig?.modelType ?? '';
  const mapped = mapModelWeights([{ role: 'main', index: main.index }, ...(encoder === null ? [] : [{ role: 'encoder' as const, index: encoder.index }])], {
    modelType,
    custom: options.modelInterface ?? null,
    numLayers: config?.numLayers ?? genaiConfig?.decoder.numLayers ?? null,
  });
  const weights = detectTying(mapped.weights, { index: main.index, source: main.store.source });
  const tokenizer = await loadModelTokenizer(resolved.dir, options.tokenizer ?? LOAD_DEFAULTS.tokenizer, weights.find((w) => w.role === 'embed_tokens')?.rows);
  return {
    adapter,
    dir: resolved.dir,
    graph: main,
    encoder,
    config,
    genaiConfig,
    modelType,
    candidates: resolved.onnxFiles,
    modelInterface: mapped.modelInterface,
    naming: mapped.naming,
    interfaceWarnings: mapped.warnings,
    weights,
    tokenizer,
    selection,
    fileChoice: files.reason,
  };
}

/** The hub's resolution as a {@link ModelLocation}: a file path or `hf:…#file.onnx` names the file explicitly. */
export function toModelLocation(resolved: ResolvedModel): ModelLocation {
  const reference = resolved.reference;
  const isExplicitFile = reference.kind === 'local' ? reference.path.endsWith('.onnx') : reference.file !== undefined;
  return { dir: resolved.dir, onnxFiles: resolved.onnxFiles, isExplicitFile };
}

function openGraph<Io>(path: string, io: (index: LoadedGraph['index'], path: string) => Io): LoadedGraph<Io> {
  const { index } = openModelFile(path);
  return { path, index, io: io(index, path), store: createGraphStore(index, dirname(path)) };
}

async function loadModelTokenizer(dir: string, mode: 'required' | 'optional' | 'skip', vocabRows: number | undefined): Promise<LoadedTokenizer | null> {
  if (mode === 'skip') return null;
  let tokenizer: LoadedTokenizer;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (error) {
    if (mode === 'optional' && error instanceof InvarlockError && error.code === 'E_TOKENIZER_MISSING') return null;
    throw error;
  }
  if (vocabRows !== undefined) assertIdsFitVocab(tokenizer, vocabRows);
  return tokenizer;
}
