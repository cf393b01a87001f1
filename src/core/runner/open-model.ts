import { describeModel, loadModel, type LoadedModel, type LoadedTokenizer, type ModelDescription, type WeightFormat } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { AdapterChoice } from '../config/index.js';
import { fileSha256, resolveModel, type ResolvedModel } from '../../hub/index.js';

/** A model opened for a run: where it came from, the loaded graphs and what describe() found. */
export interface OpenedModel {
  readonly reference: string;
  readonly resolved: ResolvedModel;
  readonly model: LoadedModel;
  readonly description: ModelDescription;
  /** sha256 of the main ONNX file. */
  readonly fileSha256: string;
}

/** Options of {@link openModel}. */
export interface OpenModelOptions {
  readonly cwd: string;
  readonly adapter: AdapterChoice;
  readonly allowNetwork: boolean;
  readonly cacheDir: string | null;
  readonly hubUrl?: string;
  readonly accessToken?: string;
  readonly modelInterface: Readonly<Record<string, unknown>> | null;
}

/**
 * Resolves a reference (local path or `hf:` — downloads only when allowed), loads the model with its
 * tokenizer, and describes it. Errors are the hub's and the adapters' (`E_MODEL_REF`,
 * `E_NETWORK_DISALLOWED`, `E_CONFIG_JSON`, `E_TOKENIZER_MISSING`, …).
 */
export async function openModel(reference: string, options: OpenModelOptions): Promise<OpenedModel> {
  const resolved = await resolveModel(reference, {
    cwd: options.cwd,
    network: options.allowNetwork ? 'allow' : 'deny',
    ...(options.cacheDir === null ? {} : { cacheDir: options.cacheDir }),
    ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
    ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
  });
  const model = await loadModel(resolved, { adapter: options.adapter, modelInterface: options.modelInterface, tokenizer: 'required' });
  return { reference, resolved, model, description: describeModel(model), fileSha256: await fileSha256(model.graph.path) };
}

/** The quantization formats of a description, sorted (certificate `quantization_formats`). */
export function formatsOf(description: ModelDescription): WeightFormat[] {
  return (Object.keys(description.formats) as WeightFormat[]).sort();
}

/** The model's tokenizer; every runner model is opened with one (`tokenizer: 'required'`). */
export function requireTokenizer(model: LoadedModel): LoadedTokenizer {
  if (model.tokenizer === null) {
    throw new InvarlockError('E_TOKENIZER_MISSING', `${model.dir} was loaded without a tokenizer; scoring text needs one`, { details: { file: model.dir } });
  }
  return model.tokenizer;
}
