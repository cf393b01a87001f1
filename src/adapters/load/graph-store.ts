import { createDataSource, externalDataLocations, type DataSource, type ModelIndex } from '../../onnx/index.js';
import type { GraphStore } from '../types.js';

/**
 * The byte storage of one indexed graph whose external data lives in `directory`. External files
 * are read whole on first {@link GraphStore.externalBuffer} call; reads then come from memory, so
 * in-place writes to those buffers are what later reads, snapshots and sessions see.
 */
export function createGraphStore(index: ModelIndex, directory: string): GraphStore {
  const disk = createDataSource({ directory });
  const buffers = new Map<string, Uint8Array>();
  // Every external file, Constant nodes' included: onnxruntime would resolve any location it is
  // not handed against the process's working directory (#13).
  const locations = new Set<string>(externalDataLocations(index));
  const externalBuffer = (location: string): Uint8Array => {
    let buffer = buffers.get(location);
    if (buffer === undefined) {
      buffer = disk.readFile(location);
      buffers.set(location, buffer);
    }
    return buffer;
  };
  const source: DataSource = {
    readRange: (request) => {
      const buffer = buffers.get(request.location);
      if (buffer === undefined || request.offset + request.length > buffer.length) return disk.readRange(request);
      // A copy, as DataSource promises (Buffer#slice would return a view).
      return new Uint8Array(buffer.subarray(request.offset, request.offset + request.length));
    },
    sizeOf: (location, tensor) => buffers.get(location)?.length ?? disk.sizeOf(location, tensor),
    readFile: (location) => externalBuffer(location),
    close: () => disk.close(),
  };
  return { source, externalLocations: [...locations].sort(), externalBuffer };
}
