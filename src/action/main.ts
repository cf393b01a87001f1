/**
 * Entry of the Action's `main` step (bundled to dist/action/index.js). Wires the real
 * dependencies and runs the pipeline; a cancelled job (SIGINT/SIGTERM from the runner) stops the
 * CLI and its container, and the run still publishes `cancelled`.
 */
import * as core from '@actions/core';
import { defaultActionDeps } from './default-deps.js';
import { runAction } from './run-action.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());

// No top-level await: the bundler's output stays a plain script-like module.
runAction(defaultActionDeps({ signal: controller.signal })).catch((error: unknown) => {
  core.setFailed(`InvarLock internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
