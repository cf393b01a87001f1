import { InvarlockError } from '../../errors/index.js';
import type { DockerClient } from './docker-client.js';
import { describeProcessFailure } from './docker-client.js';
import { buildDockerRunArgs, containerLabels, containerName } from './docker-run-args.js';
import type { ImageRef } from '../inputs/image-ref.js';
import { pinnedRef } from '../inputs/image-ref.js';
import type { ActionEventSink } from '../types.js';

/** Image label with the CUDA version the runtime image was built for. */
export const LABEL_CUDA_VERSION = 'dev.invarlock.cuda.version';
/** Image label with the minimum NVIDIA driver for that CUDA version (e.g. `580.65.06`). */
export const LABEL_MIN_DRIVER = 'dev.invarlock.cuda.min-driver';

/** A GPU as `nvidia-smi` reports it inside the container. */
export interface GpuInfo {
  readonly name: string;
  readonly driver: string;
  readonly memoryMiB: number | null;
}

/** The image the run will use, pinned. */
export interface ResolvedImage {
  /** `repository@sha256:…`: what `docker run` is given. */
  readonly ref: string;
  readonly digest: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Result of {@link runPreflight}. */
export type PreflightResult = { readonly ok: true; readonly image: ResolvedImage; readonly gpus: readonly GpuInfo[] } | { readonly ok: false; readonly error: InvarlockError };

/** Options of {@link runPreflight}. */
export interface PreflightOptions {
  readonly docker: DockerClient;
  readonly image: ImageRef;
  /** `--gpus` value, or null when the run uses no GPU. */
  readonly gpus: string | null;
  readonly jobKey: string;
  readonly runId: string;
  readonly runAttempt: string;
  readonly user: { readonly uid: number; readonly gid: number } | null;
  readonly onEvent: ActionEventSink;
}

/** Compares dotted numeric versions (`550.54.15` < `580.65.06`); non-numeric parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Parses `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(stdout: string): GpuInfo[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.split(',').map((f) => f.trim()))
    .filter((fields) => fields.length >= 2 && fields[0] !== '' && /^[0-9.]+$/.test(fields[1] ?? ''))
    .map((fields) => {
      const memory = Number(fields[2]);
      return { name: fields[0] ?? '', driver: fields[1] ?? '', memoryMiB: Number.isFinite(memory) && fields[2] !== undefined ? memory : null };
    });
}

/** Finds the registry digest of a local image for `repository`, from `RepoDigests`. */
function digestFor(repository: string, repoDigests: readonly string[]): string | null {
  for (const entry of repoDigests) {
    const at = entry.lastIndexOf('@');
    if (at > 0 && entry.slice(0, at) === repository && /^sha256:[0-9a-f]{64}$/.test(entry.slice(at + 1))) return entry.slice(at + 1);
  }
  return null;
}

/**
 * Checks that a container run can work before starting it: the Docker daemon answers; the image
 * is present (pulled if not) and its registry digest is known (a tag is resolved to the digest it
 * points to now, and the run uses that digest); with GPUs, `nvidia-smi` runs in the image and the
 * driver is at least the image's `dev.invarlock.cuda.min-driver` label. Failures are values with
 * `E_DOCKER` or `E_GPU_UNAVAILABLE`, which end the run with verdict `error`.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const { docker, image } = options;
  const fail = (code: 'E_DOCKER' | 'E_GPU_UNAVAILABLE', message: string, hint: string, details: Record<string, unknown> = {}): PreflightResult => ({
    ok: false,
    error: new InvarlockError(code, message, { hint, details }),
  });
  const version = await docker.serverVersion();
  if (!version.ok) {
    return fail('E_DOCKER', `Docker is not available: ${version.reason}`, 'Container mode needs Docker on the runner (and the NVIDIA Container Toolkit for GPUs); use execution-mode: host for CPU-only runners.');
  }
  options.onEvent({ type: 'log', line: `docker server ${version.version}` });
  const text = `${image.repository}${image.tag === null ? '' : `:${image.tag}`}${image.digest === null ? '' : `@${image.digest}`}`;
  let info = await docker.inspectImage(text);
  if (info === null) {
    options.onEvent({ type: 'log', line: `pulling ${text}` });
    const pulled = await docker.pull(text);
    if (!pulled.ok) return fail('E_DOCKER', `cannot pull ${text}: ${pulled.reason}`, 'Check the image name, the registry login (docker/login-action) and the runner network.', { image: text });
    info = await docker.inspectImage(text);
    if (info === null) return fail('E_DOCKER', `${text} was pulled but cannot be inspected`, 'Check the Docker daemon.', { image: text });
  }
  const digest = image.digest ?? digestFor(image.repository, info.repoDigests);
  if (digest === null) {
    return fail('E_DOCKER', `${text} has no registry digest (a locally built image?)`, 'Push the image and pin it as repository@sha256:…', { image: text });
  }
  if (image.digest !== null && info.repoDigests.length > 0 && digestFor(image.repository, info.repoDigests) === null) {
    return fail('E_DOCKER', `the local image for ${text} does not carry that digest`, 'Remove the local image and let the Action pull it.', { image: text, actual: info.repoDigests.join(', ') });
  }
  const resolved: ResolvedImage = { ref: pinnedRef(image, digest), digest, labels: info.labels };
  if (options.gpus === null) return { ok: true, image: resolved, gpus: [] };

  const phase = 'preflight';
  const args = buildDockerRunArgs({
    name: containerName(options.jobKey, phase),
    labels: containerLabels({ jobKey: options.jobKey, runId: options.runId, runAttempt: options.runAttempt, phase }),
    image: resolved.ref,
    user: options.user,
    gpus: options.gpus,
    network: 'none',
    shmSize: null,
    mounts: [],
    env: { NVIDIA_DRIVER_CAPABILITIES: 'compute,utility' },
    passEnv: [],
    workdir: null,
    entrypoint: 'nvidia-smi',
    extraArgs: [],
    command: ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader,nounits'],
  });
  const smi = await docker.runContainer(args, { name: containerName(options.jobKey, phase), passEnv: [], timeoutMs: 120_000 });
  const gpus = smi.kind === 'exited' && smi.exitCode === 0 ? parseNvidiaSmi(smi.stdout) : [];
  if (gpus.length === 0) {
    return fail(
      'E_GPU_UNAVAILABLE',
      `no GPU is visible in the container (--gpus ${options.gpus}): ${smi.kind === 'exited' && smi.exitCode === 0 ? 'nvidia-smi listed no GPU' : describeProcessFailure(smi)}`,
      'Install the NVIDIA driver and the NVIDIA Container Toolkit on the runner, or set gpus: none (CPU in the container).',
      { image: resolved.ref },
    );
  }
  const minDriver = resolved.labels[LABEL_MIN_DRIVER];
  const oldest = gpus.reduce((a, b) => (compareVersions(a.driver, b.driver) <= 0 ? a : b));
  if (minDriver !== undefined && compareVersions(oldest.driver, minDriver) < 0) {
    return fail(
      'E_GPU_UNAVAILABLE',
      `the NVIDIA driver ${oldest.driver} is older than ${minDriver}, which CUDA ${resolved.labels[LABEL_CUDA_VERSION] ?? '(unknown)'} in the image needs`,
      'Upgrade the runner\'s driver, or use a runtime image built for an older CUDA.',
      { expected: `>= ${minDriver}`, actual: oldest.driver, image: resolved.ref },
    );
  }
  return { ok: true, image: resolved, gpus };
}
