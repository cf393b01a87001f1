/**
 * The door to the Action layer (GitHub): inputs → one validated record, the run context, the
 * container and host launchers, verification of certificates and publishing (job summary, check
 * run, sticky PR comment, outputs), and the `post` cleanup. Entry points: `main.ts` (dist/action)
 * and `post.ts` (dist/post).
 */
export type * from './types.js';
export { DEFAULTS, BUDGETS, MAX_UNTRUSTED_CERT_BYTES } from './defaults.js';
export { parseInputs, INPUT_NAMES, type InputReader, type InputName, type ParseInputsOptions } from './inputs.js';
export { readRunContext, type ReadRunContextOptions } from './context.js';
export { buildPlan, type BuiltPlan, type BuildPlanOptions } from './plan.js';
export { decideConclusion, shouldFailStep, isBlockingConclusion, type ErrorKind } from './conclusion.js';
export { runAction, logEvents, type ActionDeps, type ActionRunResult } from './run-action.js';
export { runPost, defaultPostDeps, type PostDeps, type PostResult } from './run-post.js';
export { defaultActionDeps, defaultActionRoot } from './default-deps.js';
export { createGitHubApi, type GitHubApi, type GitHubApiOptions, type ApiResult } from './github-client.js';
export { readVerifiedCertificate, toCertificateView } from './report-door.js';
export { buildRuntimeLock, ensureHostRuntime, type HostRuntime, type HostRuntimeOptions, type RuntimeLock } from './host-runtime.js';
export { buildDockerRunArgs, type ContainerSpec, type BindMount } from './docker-run-args.js';
export { parseDockerArgs, tokenizeArgs } from './docker-args.js';
export { coreIO, coreInputReader, type ActionIO } from './action-io.js';
