import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { shardPartialFileName } from '../../core/index.js';
import { isInvarlockError, wrapError } from '../../errors/index.js';
import { signatureBundlePath } from '../../report/index.js';
import { baselineCacheKey, restoreBaselineEval, saveBaselineEval, BASELINE_EVAL_FILE, type CacheBackend } from './baseline-cache.js';
import { OUTPUT_FILES, readCertificateFile } from './certificate-intake.js';
import type { CliLauncher, CliRequest } from '../launch/cli-launcher.js';
import { interpretCliResult } from '../launch/cli-result.js';
import { createContainerLauncher } from '../launch/container-launcher.js';
import { MAX_UNTRUSTED_CERT_BYTES } from '../inputs/defaults.js';
import { createDockerClient } from '../launch/docker-client.js';
import { createHostLauncher } from '../launch/host-launcher.js';
import { ensureHostRuntime } from '../launch/host-runtime.js';
import type { RunError, RunFacts, RunOutcome } from './outcome.js';
import type { BuiltPlan } from '../inputs/plan.js';
import { runPreflight } from '../launch/preflight.js';
import { parseEventLine } from '../launch/progress.js';
import { chooseRuntimeImage } from '../launch/runtime-image.js';
import { stageShardPartials } from './shard-collect.js';
import type { ProcessRunner } from '../launch/spawn-process.js';
import type { ActionEventSink, ActionInputs, CertificateReader, RunContext } from '../types.js';

/** What {@link evaluateRun} needs from the outside world. */
export interface EvaluateDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly actionRoot: string;
  readonly run: ProcessRunner;
  readonly cache: CacheBackend;
  readonly certificateReader: CertificateReader;
  /** The runner's Node, for host mode. */
  readonly node: string;
  readonly user: { readonly uid: number; readonly gid: number } | null;
  readonly onEvent: ActionEventSink;
  readonly signal?: AbortSignal;
  /** Called once Docker is about to be used, so `post` knows to clean up containers. */
  readonly onDockerUse: () => void;
}

/** What {@link evaluateRun} returns: the outcome and the facts for the summary. */
export interface EvaluateResult {
  readonly outcome: RunOutcome;
  readonly facts: Omit<RunFacts, 'durationMs'>;
}

/** Turns a thrown error into the {@link RunError} publishers show. */
export function toRunError(error: unknown): RunError {
  if (isInvarlockError(error)) {
    const field = error.details.field;
    return { code: error.code, message: error.message, hint: error.hint ?? null, field: typeof field === 'string' ? field : null, kind: error.code === 'E_TIMEOUT' ? 'timeout' : error.code === 'E_CANCELLED' ? 'cancelled' : 'other' };
  }
  const wrapped = wrapError(error, 'E_INTERNAL', 'unexpected failure');
  return { code: wrapped.code, message: wrapped.message, hint: 'This is a bug: please report it with the log.', field: null, kind: 'other' };
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && info.isFile();
}

async function toolVersion(actionRoot: string): Promise<string | null> {
  try {
    const value: unknown = JSON.parse(await readFile(join(actionRoot, 'package.json'), 'utf8'));
    return typeof value === 'object' && value !== null && 'version' in value && typeof value.version === 'string' ? value.version : null;
  } catch {
    return null;
  }
}

interface Launch {
  readonly launcher: CliLauncher;
  readonly image: string | null;
  readonly imageDigest: string | null;
  readonly runtime: Readonly<Record<string, string | null>>;
}

async function prepareLauncher(deps: EvaluateDeps, inputs: ActionInputs, ctx: RunContext, useGpu: boolean): Promise<Launch | RunError> {
  const workDir = join(ctx.runnerTemp, `invarlock-${ctx.jobKey}`);
  const exec = inputs.execution;
  if (exec.mode === 'host') {
    const runtime = await ensureHostRuntime({
      actionRoot: deps.actionRoot,
      toolCache: ctx.toolCache,
      cache: inputs.publishing.cache === 'use' ? deps.cache : null,
      run: deps.run,
      env: deps.env,
      onEvent: deps.onEvent,
    }).catch((error: unknown) => toRunError(error));
    if ('code' in runtime) return runtime;
    deps.onEvent({ type: 'log', line: `host runtime: onnxruntime-node ${runtime.version} from ${runtime.source}` });
    const launcher = createHostLauncher({ runtime, run: deps.run, node: deps.node, workspace: ctx.workspace, workDir, network: exec.network, env: deps.env });
    return {
      launcher,
      image: null,
      imageDigest: null,
      runtime: { mode: 'host', platform: process.platform, arch: process.arch, node: process.versions.node.split('.')[0] ?? null, onnxruntime: runtime.version, tool: await toolVersion(deps.actionRoot) },
    };
  }
  const imageRef = await chooseRuntimeImage({ input: exec.runtimeImage, flavor: useGpu ? 'cuda' : 'cpu', actionRoot: deps.actionRoot }).catch((error: unknown) => toRunError(error));
  if ('code' in imageRef) return imageRef;
  deps.onDockerUse();
  const docker = createDockerClient({ run: deps.run, env: deps.env });
  const preflight = await runPreflight({
    docker,
    image: imageRef,
    gpus: useGpu ? exec.gpus : null,
    jobKey: ctx.jobKey,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    user: deps.user,
    onEvent: deps.onEvent,
  });
  if (!preflight.ok) return toRunError(preflight.error);
  for (const gpu of preflight.gpus) deps.onEvent({ type: 'log', line: `GPU: ${gpu.name}, driver ${gpu.driver}${gpu.memoryMiB === null ? '' : `, ${gpu.memoryMiB} MiB`}` });
  const launcher = createContainerLauncher({
    docker,
    image: preflight.image,
    workspace: ctx.workspace,
    workDir,
    jobKey: ctx.jobKey,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    user: deps.user,
    gpus: useGpu ? exec.gpus : null,
    shmSize: exec.shmSize,
    extra: exec.dockerArgs,
    env: deps.env,
  });
  return {
    launcher,
    image: preflight.image.ref,
    imageDigest: preflight.image.digest,
    runtime: { mode: 'container', image: preflight.image.digest, gpu: useGpu ? (preflight.gpus[0]?.name ?? 'gpu') : 'none' },
  };
}

/** Removes what an earlier run may have left, so a stale certificate (or signature) is never published. */
async function clearOutputs(outputDir: string): Promise<void> {
  await mkdir(outputDir, { recursive: true });
  for (const name of [...Object.values(OUTPUT_FILES), BASELINE_EVAL_FILE, signatureBundlePath(OUTPUT_FILES.certificate)]) await rm(join(outputDir, name), { force: true });
  for (const name of await readdir(outputDir)) if (name.endsWith('.partial.json')) await rm(join(outputDir, name), { force: true });
}

class Deadline {
  private readonly end: number;
  constructor(private readonly minutes: number) {
    this.end = minutes > 0 ? Date.now() + minutes * 60_000 : Number.POSITIVE_INFINITY;
  }
  remainingMs(): number {
    // 1 ms rather than 0: 0 means "no limit" to the process runner.
    return Number.isFinite(this.end) ? Math.max(1, this.end - Date.now()) : 0;
  }
  get timeoutMinutes(): number {
    return this.minutes;
  }
}

async function readOutcome(deps: EvaluateDeps, outputDir: string, exitCode: 0 | 1): Promise<RunOutcome> {
  const path = join(outputDir, OUTPUT_FILES.certificate);
  if (!(await isFile(path))) {
    return { kind: 'error', error: { code: 'E_INTERNAL', message: `the CLI exited ${exitCode} but wrote no ${OUTPUT_FILES.certificate}`, hint: 'This is a bug: please report it with the log.', field: null, kind: 'other' }, files: null };
  }
  try {
    const intake = await readCertificateFile(path, { reader: deps.certificateReader, trust: 'own-run', maxBytes: MAX_UNTRUSTED_CERT_BYTES });
    const verdict = intake.certificate.view.verdict;
    if ((exitCode === 1) !== (verdict === 'fail')) {
      deps.onEvent({ type: 'warning', id: 'exit-verdict-mismatch', message: `the CLI exited ${exitCode} but the verified certificate says ${verdict}; publishing the certificate's verdict` });
    }
    return { kind: 'certified', certificate: intake.certificate, files: intake.files };
  } catch (error) {
    return { kind: 'error', error: toRunError(error), files: null };
  }
}

/**
 * Evaluates (or aggregates shards) with the CLI and reads the verified certificate:
 * plan → launcher (container preflight, or host runtime) → baseline cache restore → prefetch
 * (container with allow-network) → certify → verify → cache save. Every failure becomes an
 * `error` outcome; nothing here throws for expected problems.
 */
export async function evaluateRun(deps: EvaluateDeps, inputs: ActionInputs, ctx: RunContext, built: BuiltPlan | null): Promise<EvaluateResult> {
  const exec = inputs.execution;
  const outputDir = inputs.publishing.outputDir;
  const notices: string[] = [];
  const baseFacts = { mode: inputs.mode.kind === 'aggregate' ? ('aggregate' as const) : exec.mode, image: null, imageDigest: null, cache: 'not-applicable' as RunFacts['cache'], notices };
  const fail = (error: RunError, facts: Partial<Omit<RunFacts, 'durationMs'>> = {}): EvaluateResult => ({ outcome: { kind: 'error', error, files: null }, facts: { ...baseFacts, ...facts } });
  const deadline = new Deadline(exec.timeoutMinutes);
  await clearOutputs(outputDir);

  const useGpu = inputs.mode.kind === 'evaluate' && exec.gpus !== 'none' && built?.config.device !== 'cpu';
  const prepared = await prepareLauncher(deps, inputs, ctx, useGpu);
  if ('code' in prepared) return fail(prepared);
  const facts = { ...baseFacts, image: prepared.image, imageDigest: prepared.imageDigest };
  const launch = async (request: CliRequest, what: string): Promise<ReturnType<typeof interpretCliResult>> => {
    // certify streams its own stages (`--events stderr`): they become the log's groups.
    const grouped = request.command !== 'certify';
    if (grouped) deps.onEvent({ type: 'stage-start', stage: what });
    else deps.onEvent({ type: 'log', line: `▸ ${what}` });
    const started = Date.now();
    const result = await prepared.launcher.run(request, {
      timeoutMs: deadline.remainingMs(),
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
      onLine: (line) => {
        const event = parseEventLine(line);
        deps.onEvent(event === null ? { type: 'log', line } : { type: 'run-event', event });
      },
    });
    if (grouped) deps.onEvent({ type: 'stage-end', stage: what, durationMs: Date.now() - started });
    else deps.onEvent({ type: 'log', line: `${what}: ${(( Date.now() - started) / 1000).toFixed(1)} s` });
    return interpretCliResult(result, { what, launcher: prepared.launcher.kind, timeoutMinutes: deadline.timeoutMinutes });
  };

  if (inputs.mode.kind === 'aggregate') {
    const staged = await stageShardPartials(inputs.mode.inputDir, join(ctx.runnerTemp, `invarlock-${ctx.jobKey}`, 'shards')).catch((error: unknown) => toRunError(error));
    if ('code' in staged) return fail(staged, facts);
    deps.onEvent({ type: 'log', line: `aggregating ${staged.sources.length} partial results: ${staged.sources.join(', ')}` });
    const result = await launch({ command: 'aggregate', inputDir: staged.dir, outputDir }, 'invarlock aggregate');
    if (result.kind === 'failed') return fail(result.error, facts);
    return { outcome: await readOutcome(deps, outputDir, result.exitCode), facts };
  }
  if (built === null) return fail({ code: 'E_INTERNAL', message: 'no run plan', hint: null, field: null, kind: 'other' }, facts);

  const plan = built.file;
  const planCacheDir = plan.cache_dir === undefined ? null : isAbsolute(plan.cache_dir) ? plan.cache_dir : resolve(ctx.workspace, plan.cache_dir);
  const needsPrefetch = prepared.launcher.kind === 'container' && exec.network === 'allowed';
  const cacheDir = planCacheDir ?? (needsPrefetch ? join(ctx.runnerTemp, 'invarlock-models') : null);

  let cacheState: RunFacts['cache'] = inputs.publishing.cache === 'use' && plan.shard === undefined ? 'miss' : 'off';
  let cacheKey: string | null = null;
  const cacheDirForEval = join(ctx.runnerTemp, 'invarlock-cache', 'baseline-eval');
  if (cacheState === 'miss') {
    const key = await baselineCacheKey(built.config, { workspace: ctx.workspace, runtime: prepared.runtime }).catch((error: unknown) => toRunError(error));
    if ('code' in key) return fail(key, facts);
    if (!key.ok) {
      notices.push(key.reason);
      cacheState = 'off';
    } else {
      cacheKey = key.key;
      const restored = await restoreBaselineEval(deps.cache, { key: key.key, dir: cacheDirForEval });
      cacheState = restored.status;
      if (restored.status !== 'hit' && restored.notice !== null) notices.push(restored.notice);
    }
  }

  if (needsPrefetch && cacheDir !== null) {
    await mkdir(cacheDir, { recursive: true });
    const prefetched = await launch({ command: 'prefetch', plan, cacheDir }, 'invarlock prefetch');
    if (prefetched.kind === 'failed') return fail(prefetched.error, { ...facts, cache: cacheState });
  }
  const certified = await launch(
    { command: 'certify', plan, baselineEvalDir: cacheState === 'hit' ? cacheDirForEval : null, cacheDir, outputDir },
    prepared.launcher.kind === 'container' ? 'invarlock certify (container)' : 'invarlock certify (host)',
  );
  const finalFacts = { ...facts, cache: cacheState };
  if (certified.kind === 'failed') {
    // A CLI that could not finish may still leave an `error` certificate: publish it when it verifies.
    if (await isFile(join(outputDir, OUTPUT_FILES.certificate))) {
      const outcome = await readOutcome(deps, outputDir, 0);
      if (outcome.kind === 'certified') return { outcome, facts: finalFacts };
    }
    return fail(certified.error, finalFacts);
  }
  if (plan.shard !== undefined) {
    const partial = join(outputDir, shardPartialFileName(plan.shard));
    if (!(await isFile(partial))) {
      return fail({ code: 'E_INTERNAL', message: `the CLI finished shard ${plan.shard.index + 1}/${plan.shard.count} but wrote no ${OUTPUT_FILES.partial}`, hint: null, field: null, kind: 'other' }, finalFacts);
    }
    return { outcome: { kind: 'partial', shard: plan.shard, partialPath: partial }, facts: finalFacts };
  }
  if (cacheState === 'miss' && cacheKey !== null) {
    const notice = await saveBaselineEval(deps.cache, { key: cacheKey, dir: cacheDirForEval, outputDir });
    if (notice !== null) notices.push(notice);
  }
  return { outcome: await readOutcome(deps, outputDir, certified.exitCode), facts: finalFacts };
}
