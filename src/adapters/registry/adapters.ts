import { describeModel } from '../describe/describe-model.js';
import { loadModel } from '../load/load-model.js';
import { restoreSnapshot, takeSnapshot } from '../snapshot/take-snapshot.js';
import { ADAPTER_NAMES, type AdapterName, type ModelAdapter } from '../types.js';
import { adapterCapabilities } from './capabilities.js';

/**
 * The adapter called `name`. All four share one loader; they differ in the IO they require
 * (`describeIo`: logits rank 3 for LMs, 2 for classifiers; `encoder_hidden_states` and an encoder
 * graph for seq2seq) and in their capabilities (`contracts/adapter_capabilities.json`).
 */
export function getAdapter(name: AdapterName): ModelAdapter {
  return {
    name,
    capabilities: adapterCapabilities(name),
    load: (location, options = {}) => loadModel(location, { ...options, adapter: name }),
    describe: describeModel,
    snapshot: takeSnapshot,
    restore: restoreSnapshot,
  };
}

/** Every adapter, in {@link ADAPTER_NAMES} order. */
export function allAdapters(): ModelAdapter[] {
  return ADAPTER_NAMES.map(getAdapter);
}
