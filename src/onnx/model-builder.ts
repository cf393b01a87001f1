/**
 * A small ModelProto builder: graphs with initializers (raw_data, typed fields, external data),
 * nodes with attributes (including If/Loop subgraphs) and inputs/outputs with symbolic dims.
 * Used by tests, the synthetic-model generator and tiny smoke models (e.g. execution-provider checks).
 */
import { ChunkWriter, concatChunks } from './chunk-writer.js';
import { ExternalDataBuffer, encodeModel } from './proto-encoder.js';
import type { BuildModelOptions, BuiltModel, BuiltModelChunks, ModelSpec } from './spec-types.js';

/** Defaults of {@link BuildModelOptions}. */
export const BUILD_MODEL_DEFAULTS = Object.freeze({
  externalDataLocation: 'model.onnx_data',
  externalAlignmentBytes: 64,
} as const);

/**
 * Builds a model as chunk lists without concatenating: weight payloads given as typed arrays are
 * referenced, not copied, so a 500 MB model costs no second copy until it is written.
 * Throws `E_TENSOR_RANGE` when a tensor's data does not match its dims or type range,
 * `E_DTYPE_UNSUPPORTED` for values of a type the encoder cannot write (STRING, FLOAT8 …).
 */
export function buildModelChunks(spec: ModelSpec, options: BuildModelOptions = {}): BuiltModelChunks {
  const external = new ExternalDataBuffer(
    options.externalDataLocation ?? BUILD_MODEL_DEFAULTS.externalDataLocation,
    options.externalAlignmentBytes ?? BUILD_MODEL_DEFAULTS.externalAlignmentBytes,
  );
  const writer: ChunkWriter = encodeModel(spec, external);
  const byteLength = writer.length;
  const chunks = writer.finish();
  return {
    chunks,
    byteLength,
    externalData: external.length === 0 ? [] : [{ path: external.location, chunks: external.chunks, byteLength: external.length }],
  };
}

/**
 * Builds a model into one byte array plus its external data files, in the shape
 * `InferenceSession.create(modelBytes, { externalData })` takes. Same errors as {@link buildModelChunks}.
 */
export function buildModel(spec: ModelSpec, options: BuildModelOptions = {}): BuiltModel {
  const built = buildModelChunks(spec, options);
  return {
    modelBytes: concatChunks(built.chunks),
    externalData: built.externalData.map((file) => ({ path: file.path, data: concatChunks(file.chunks) })),
  };
}
