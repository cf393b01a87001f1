import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfigFile } from '../../core/index.js';
import { BASELINE_EVAL_FILE } from '../evaluate/baseline-cache.js';
import type { CliLauncher, CliRequest, LaunchOptions } from './cli-launcher.js';
import { cliArgs } from './cli-launcher.js';
import { CONTAINER_PATHS, containerPlan } from './container-plan.js';
import type { DockerClient } from './docker-client.js';
import { buildDockerRunArgs, containerLabels, containerName, type BindMount, type ContainerSpec } from './docker-run-args.js';
import type { ResolvedImage } from './preflight.js';
import type { ProcessResult } from './spawn-process.js';
import type { DockerExtraArgs } from '../types.js';

/** Host variables a prefetch container may receive by name (downloads need credentials and proxies). */
const PREFETCH_PASS_ENV = ['HF_TOKEN', 'HF_ENDPOINT', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/** Options of {@link createContainerLauncher}. */
export interface ContainerLauncherOptions {
  readonly docker: DockerClient;
  readonly image: ResolvedImage;
  readonly workspace: string;
  /** Private directory of this job on the host (plan files live here). */
  readonly workDir: string;
  readonly jobKey: string;
  readonly runId: string;
  readonly runAttempt: string;
  readonly user: { readonly uid: number; readonly gid: number } | null;
  /** `--gpus` value for certify, or null (CPU). */
  readonly gpus: string | null;
  readonly shmSize: string | null;
  readonly extra: DockerExtraArgs;
  /** The runner's environment: only names in the pass lists are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The container spec of one phase (pure: everything decided from the options and request). */
export function phaseSpec(
  options: ContainerLauncherOptions,
  phase: 'certify' | 'prefetch' | 'aggregate',
  mounts: readonly BindMount[],
  command: readonly string[],
  cacheDir: string | null,
): ContainerSpec {
  const env: Record<string, string> = { HOME: '/tmp', CI: 'true', NO_COLOR: '1', INVARLOCK_EXECUTION: 'container' };
  if (cacheDir !== null) env['HF_HOME'] = CONTAINER_PATHS.cache;
  if (phase !== 'prefetch') env['HF_HUB_OFFLINE'] = '1';
  const gpus = phase === 'certify' ? options.gpus : null;
  if (gpus !== null) env['NVIDIA_DRIVER_CAPABILITIES'] = 'compute,utility';
  const passEnv = [...options.extra.passEnv, ...(phase === 'prefetch' ? PREFETCH_PASS_ENV.filter((n) => options.env[n] !== undefined) : [])];
  return {
    name: containerName(options.jobKey, phase),
    labels: containerLabels({ jobKey: options.jobKey, runId: options.runId, runAttempt: options.runAttempt, phase }),
    image: options.image.ref,
    user: options.user,
    gpus,
    network: phase === 'prefetch' ? (options.extra.network ?? 'bridge') : 'none',
    shmSize: options.shmSize,
    mounts: [{ source: options.workspace, target: options.workspace, mode: 'ro' }, ...mounts],
    env,
    passEnv: [...new Set(passEnv)],
    workdir: options.workspace,
    entrypoint: null,
    extraArgs: options.extra.args,
    command,
  };
}

async function writePlan(dir: string, name: string, plan: RunConfigFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, `${JSON.stringify(plan, null, 2)}\n`);
  return path;
}

/**
 * Runs CLI commands in the pinned runtime image (entrypoint `invarlock`): certify with GPUs,
 * `--network none`, the workspace and model cache read-only and only the output directory
 * writable; prefetch without GPUs on Docker's bridge network with the cache writable; aggregate
 * with neither GPU nor network.
 */
export function createContainerLauncher(options: ContainerLauncherOptions): CliLauncher {
  const run = async (request: CliRequest, launch: LaunchOptions): Promise<ProcessResult> => {
    const paths = { plan: CONTAINER_PATHS.plan, input: CONTAINER_PATHS.input, output: CONTAINER_PATHS.out };
    const mounts: BindMount[] = [];
    let cacheDir: string | null = null;
    if (request.command === 'aggregate') {
      mounts.push({ source: request.inputDir, target: CONTAINER_PATHS.input, mode: 'ro' }, { source: request.outputDir, target: CONTAINER_PATHS.out, mode: 'rw' });
    } else {
      cacheDir = request.cacheDir;
      const rewritten = containerPlan(request.plan, {
        workspace: options.workspace,
        cacheDir,
        cacheMode: request.command === 'prefetch' ? 'rw' : 'ro',
        baselineEvalDir: request.command === 'certify' ? request.baselineEvalDir : null,
        baselineEvalFile: BASELINE_EVAL_FILE,
        imageDigest: options.image.digest,
      });
      // The certify container has no network: anything to download was prefetched.
      const plan: RunConfigFile = request.command === 'certify' ? { ...rewritten.plan, allow_network: false } : rewritten.plan;
      const planFile = await writePlan(options.workDir, `${request.command}.plan.json`, plan);
      mounts.push(...rewritten.mounts, { source: planFile, target: CONTAINER_PATHS.plan, mode: 'ro' });
      if (request.command === 'certify') mounts.push({ source: request.outputDir, target: CONTAINER_PATHS.out, mode: 'rw' });
    }
    const spec = phaseSpec(options, request.command, mounts, cliArgs(request, paths), cacheDir);
    return options.docker.runContainer(buildDockerRunArgs(spec), {
      name: spec.name,
      passEnv: spec.passEnv,
      timeoutMs: launch.timeoutMs,
      ...(launch.signal === undefined ? {} : { signal: launch.signal }),
      onStderrLine: launch.onLine,
    });
  };
  return { kind: 'container', run };
}
