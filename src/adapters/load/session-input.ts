import type { EditedModel, LoadedGraph, LoadedModel } from '../types.js';

/**
 * The loaded model as onnxruntime takes it, without edits: the model bytes and every external data
 * file (read into memory once, shared with in-place writes). Pass as
 * `InferenceSession.create(input.bytes, { externalData: input.externalData })`.
 * @throws the onnx layer's `E_EXTERNAL_DATA_MISSING` when an external file is gone.
 */
export function sessionInput(model: LoadedModel): EditedModel {
  const graphInput = (graph: LoadedGraph<unknown>) => ({
    bytes: graph.index.bytes,
    externalData: graph.store.externalLocations.map((location) => ({ path: location, data: graph.store.externalBuffer(location) })),
  });
  return { ...graphInput(model.graph), encoder: model.encoder === null ? null : graphInput(model.encoder), written: [] };
}
