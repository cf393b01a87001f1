import type { LoadedModel, ModelSnapshot, SnapshotOptions } from '../types.js';
import { restoreChunkedSnapshot, takeChunkedSnapshot } from './chunked-snapshot.js';
import { restoreMemorySnapshot, takeMemorySnapshot } from './memory-snapshot.js';
import { snapshotError } from './snapshot-regions.js';

/** Defaults of {@link SnapshotOptions}. */
export const SNAPSHOT_DEFAULTS = Object.freeze({ mode: 'memory', chunkBytes: 64 * 1024 * 1024 } as const);

/**
 * Copies the stored bytes of the weights an edit may touch (`options.keys`, default all), so that
 * an in-place `writeWeights` can be undone bit-exactly with {@link restoreSnapshot}. `memory` keeps
 * copies; `chunked` streams them to `options.dir` (for models whose weights do not fit twice in memory).
 * @throws InvarlockError `E_SNAPSHOT` (chunked without `dir`, write failures), `E_GRAPH_EDIT` for unknown keys.
 */
export function takeSnapshot(model: LoadedModel, options: SnapshotOptions = {}): ModelSnapshot {
  const mode = options.mode ?? SNAPSHOT_DEFAULTS.mode;
  switch (mode) {
    case 'memory':
      return takeMemorySnapshot(model, options.keys);
    case 'chunked':
      if (options.dir === undefined) throw snapshotError('a chunked snapshot needs a directory (options.dir)');
      return takeChunkedSnapshot(model, options.keys, options.dir, options.chunkBytes ?? SNAPSHOT_DEFAULTS.chunkBytes);
    default: {
      const never: never = mode;
      return never;
    }
  }
}

/**
 * Puts a snapshot's bytes back into the model's buffers and verifies each region's sha256.
 * @throws InvarlockError `E_SNAPSHOT` when the snapshot is damaged or does not fit the model.
 */
export function restoreSnapshot(model: LoadedModel, snapshot: ModelSnapshot): void {
  switch (snapshot.kind) {
    case 'memory':
      restoreMemorySnapshot(model, snapshot);
      return;
    case 'chunked':
      restoreChunkedSnapshot(model, snapshot);
      return;
    default: {
      const never: never = snapshot;
      return never;
    }
  }
}
