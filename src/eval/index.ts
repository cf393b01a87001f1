/**
 * The evaluation layer: datasets and paired windows, scoring sessions (the model plus an on-device
 * loss head), and the onnxruntime boundary.
 * The paired statistics and gates live one layer down, in `src/stats`.
 */
export * from './data/index.js';
export * from './windows/index.js';
export * from './runtime/index.js';
export * from './scoring/index.js';
