import { InvarlockError } from '../../errors/index.js';
import { sha256Hex } from '../../contracts/index.js';
import { findTensor, payloadByteLength, type TensorRecord } from '../../onnx/index.js';
import type { GraphRole, LoadedModel, SnapshotRegion } from '../types.js';
import { graphOf, selectRecords } from '../weights/read-weights.js';

/** A region with the live bytes it covers. @internal */
export interface LiveRegion {
  readonly region: SnapshotRegion;
  /** A view of the model buffer the region lies in (writes through it restore the model). */
  readonly bytes: Uint8Array;
}

/**
 * The byte ranges holding the data initializers of `keys` (all weights when omitted): inline data
 * in the model bytes, external data in the graph's loaded buffers. A tensor shared by several keys
 * is one region. Regions come in model order.
 * @internal
 */
export function liveRegions(model: LoadedModel, keys: readonly string[] | undefined): LiveRegion[] {
  const seen = new Map<string, { region: SnapshotRegion; bytes: Uint8Array; keys: string[] }>();
  for (const record of selectRecords(model, keys)) {
    const graph = graphOf(model, record);
    const tensor = findTensor(graph.index, record.initializers[0] ?? '');
    const place = placeOf(graph.store.externalBuffer, graph.index.bytes, tensor);
    if (place === null) continue;
    const id = `${record.graph}:${place.buffer}:${place.offset}`;
    const existing = seen.get(id);
    if (existing !== undefined) {
      existing.keys.push(record.key);
      continue;
    }
    const bytes = place.array.subarray(place.offset, place.offset + place.length);
    seen.set(id, { region: regionOf(record.graph, place, sha256Hex(bytes), []), bytes, keys: [record.key] });
  }
  return [...seen.values()].map(({ region, bytes, keys: regionKeys }) => ({ region: { ...region, keys: regionKeys }, bytes }));
}

/**
 * The live bytes of a snapshot's region in `model` now.
 * @throws InvarlockError `E_SNAPSHOT` when the region lies outside the model's buffers (a snapshot of another model).
 * @internal
 */
export function liveBytesOf(model: LoadedModel, region: SnapshotRegion): Uint8Array {
  const graph = region.graph === 'main' ? model.graph : model.encoder;
  if (graph === null) throw snapshotError(`the snapshot covers an encoder the model does not have`, region);
  const array = region.buffer === 'model' ? graph.index.bytes : graph.store.externalBuffer(region.buffer);
  if (region.offset + region.length > array.length) throw snapshotError(`region [${region.offset}, +${region.length}) lies outside ${region.buffer}`, region);
  return array.subarray(region.offset, region.offset + region.length);
}

/** An `E_SNAPSHOT` error about a region. @internal */
export function snapshotError(message: string, region?: SnapshotRegion, cause?: unknown): InvarlockError {
  return new InvarlockError('E_SNAPSHOT', message, {
    details: region === undefined ? {} : { file: region.buffer, offset: region.offset, problems: region.keys.slice(0, 20) },
    ...(cause === undefined ? {} : { cause }),
  });
}

interface Place {
  readonly buffer: string;
  readonly array: Uint8Array;
  readonly offset: number;
  readonly length: number;
}

function placeOf(externalBuffer: (location: string) => Uint8Array, modelBytes: Uint8Array, tensor: TensorRecord): Place | null {
  const data = tensor.data;
  switch (data.storage) {
    case 'none':
      return null;
    case 'external': {
      const length = data.length ?? (tensor.dataType === 'UNKNOWN' ? undefined : payloadByteLength(tensor.dataType, tensor.elementCount));
      if (length === undefined) return null;
      return { buffer: data.location, array: externalBuffer(data.location), offset: data.offset, length };
    }
    default:
      return { buffer: 'model', array: modelBytes, offset: data.start, length: data.end - data.start };
  }
}

function regionOf(graph: GraphRole, place: Place, sha256: string, keys: string[]): SnapshotRegion {
  return { buffer: place.buffer, graph, offset: place.offset, length: place.length, sha256, keys };
}
