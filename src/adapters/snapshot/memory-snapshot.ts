import { sha256Hex } from '../../contracts/index.js';
import type { LoadedModel, ModelSnapshot } from '../types.js';
import { liveBytesOf, liveRegions, snapshotError } from './snapshot-regions.js';

/**
 * Copies the bytes of the weights `keys` (all when omitted) into memory. (`new Uint8Array(view)`
 * copies; `Buffer#slice` on model bytes read with fs would only make a view.)
 */
export function takeMemorySnapshot(model: LoadedModel, keys: readonly string[] | undefined): Extract<ModelSnapshot, { kind: 'memory' }> {
  const live = liveRegions(model, keys);
  return { kind: 'memory', regions: live.map((l) => l.region), copies: live.map((l) => new Uint8Array(l.bytes)) };
}

/**
 * Writes a memory snapshot's bytes back into the model's buffers and checks every region's sha256.
 * @throws InvarlockError `E_SNAPSHOT` when a copy is missing or has the wrong size, or a restored region does not hash as recorded.
 */
export function restoreMemorySnapshot(model: LoadedModel, snapshot: Extract<ModelSnapshot, { kind: 'memory' }>): void {
  snapshot.regions.forEach((region, i) => {
    const copy = snapshot.copies[i];
    if (copy === undefined || copy.length !== region.length) throw snapshotError(`snapshot copy ${i} is missing or has the wrong size`, region);
    const live = liveBytesOf(model, region);
    live.set(copy);
    if (sha256Hex(live) !== region.sha256) throw snapshotError(`restored bytes of ${region.buffer} at ${region.offset} do not match the snapshot's sha256`, region);
  });
}
