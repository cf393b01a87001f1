/**
 * The evaluation layer: datasets and paired windows, scoring sessions (the model plus an on-device
 * loss head), the onnxruntime boundary, and the paired statistics and gates.
 */
export * from './stats/index.js';
export * from './data/index.js';
export * from './windows/index.js';
export * from './runtime/index.js';
export * from './scoring/index.js';
