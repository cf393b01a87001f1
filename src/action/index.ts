/**
 * The door to the Action layer (GitHub): inputs → one validated record, the run context, the
 * container and host launchers, verification of certificates and publishing (job summary, check
 * run, sticky PR comment, outputs), and the `post` cleanup. Entry points: `main.ts` (dist/action)
 * and `post.ts` (dist/post).
 */
export type * from './types.js';
export { DEFAULTS, BUDGETS, MAX_UNTRUSTED_CERT_BYTES } from './inputs/defaults.js';
export { parseInputs, INPUT_NAMES, type InputReader, type InputName, type ParseInputsOptions } from './inputs/inputs.js';
export { readRunContext, type ReadRunContextOptions } from './inputs/context.js';
export { buildPlan, type BuiltPlan, type BuildPlanOptions } from './inputs/plan.js';
export { decideConclusion, shouldFailStep, isBlockingConclusion, type ErrorKind } from './evaluate/conclusion.js';
export { runAction, logEvents, type ActionDeps, type ActionRunResult } from './run-action.js';
export { runPost, defaultPostDeps, type PostDeps, type PostResult } from './run-post.js';
export { defaultActionDeps, defaultActionRoot } from './default-deps.js';
export { createGitHubApi, type GitHubApi, type GitHubApiOptions, type ApiResult } from './publish/github-client.js';
export { readVerifiedCertificate, toCertificateView } from './publish/report-door.js';
export { buildRuntimeLock, ensureHostRuntime, type HostRuntime, type HostRuntimeOptions, type RuntimeLock } from './launch/host-runtime.js';
export { buildDockerRunArgs, type ContainerSpec, type BindMount } from './launch/docker-run-args.js';
export { parseDockerArgs, tokenizeArgs } from './inputs/docker-args.js';
export { coreIO, coreInputReader, type ActionIO } from './action-io.js';
