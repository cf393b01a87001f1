import { wrapError } from '../../errors/index.js';

/** The onnxruntime-node module type. */
export type Ort = typeof import('onnxruntime-node');

let loaded: Promise<Ort> | undefined;

/**
 * Loads onnxruntime-node on first use. The import is dynamic on purpose: the Action's bundles share
 * code with the CLI but run where onnxruntime-node is not installed, so nothing may import it at
 * module load. Throws `E_RUNTIME_LOAD` with an install hint when the package is missing.
 */
export function loadOrt(): Promise<Ort> {
  loaded ??= import(/* webpackIgnore: true */ 'onnxruntime-node').catch((error: unknown) => {
    loaded = undefined;
    throw wrapError(error, 'E_RUNTIME_LOAD', 'onnxruntime-node is not installed or its native binding failed to load', {
      hint: 'Run `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` (CPU), or use the runtime image.',
    });
  });
  return loaded;
}
