import { InvarlockError } from '../../errors/index.js';

/** A bind mount. The Action mounts inputs read-only and only the output directory read-write. */
export interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly mode: 'ro' | 'rw';
}

/** Everything that decides one `docker run`. */
export interface ContainerSpec {
  /** Deterministic: `invarlock-<jobKey>-<phase>`, so `post` and a retry can find it. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Pinned reference `repository@sha256:…`. */
  readonly image: string;
  /** Host uid:gid, so files in the output directory belong to the runner's user; null on Windows. */
  readonly user: { readonly uid: number; readonly gid: number } | null;
  /** `--gpus` value, or null for no GPU. */
  readonly gpus: string | null;
  /** `none` (always for evaluation), or a network for the prefetch container (`bridge`, or docker-args' `--network`). */
  readonly network: string;
  readonly shmSize: string | null;
  readonly mounts: readonly BindMount[];
  /** Variables set by value (`-e NAME=value`); never secrets (argv is visible in `ps`). */
  readonly env: Readonly<Record<string, string>>;
  /** Variables passed by name (`-e NAME`): the docker client's own environment supplies the value. */
  readonly passEnv: readonly string[];
  readonly workdir: string | null;
  readonly entrypoint: string | null;
  /** Extra arguments from `docker-args` (already checked). */
  readonly extraArgs: readonly string[];
  readonly command: readonly string[];
}

/** Labels every container of ours carries; `post` removes containers by `dev.invarlock.job`. */
export const LABEL_MANAGED = 'dev.invarlock.managed';
export const LABEL_JOB = 'dev.invarlock.job';
export const LABEL_RUN = 'dev.invarlock.run';
export const LABEL_PHASE = 'dev.invarlock.phase';

/** The labels of a container of this job and phase. */
export function containerLabels(options: { readonly jobKey: string; readonly runId: string; readonly runAttempt: string; readonly phase: string }): Readonly<Record<string, string>> {
  return { [LABEL_MANAGED]: 'true', [LABEL_JOB]: options.jobKey, [LABEL_RUN]: `${options.runId}-${options.runAttempt}`, [LABEL_PHASE]: options.phase };
}

/** The deterministic container name of this job and phase. */
export function containerName(jobKey: string, phase: string): string {
  return `invarlock-${jobKey}-${phase}`;
}

function checkMountPath(path: string, role: string): void {
  // --mount is CSV: a comma or quote in a path would split the field; a newline would be worse.
  if (!path.startsWith('/') || /[,"\n\r\0]/.test(path)) {
    throw new InvarlockError('E_ACTION_INPUT', `cannot mount ${role} path '${path}': it must be absolute and free of commas, quotes and line breaks`, {
      details: { field: role, actual: path },
    });
  }
}

/**
 * The `docker run` argument array for a spec (never a shell string): `--rm --init`, no TTY, the
 * host user, `--network none` unless prefetching, no new privileges, all capabilities dropped, a
 * read-only root with a private `/tmp`, bind mounts via `--mount` (read-only unless the spec says
 * `rw`), the environment allow-list, then extra args, the image and the command. Throws
 * `E_ACTION_INPUT` for a mount path Docker could misread.
 */
export function buildDockerRunArgs(spec: ContainerSpec): string[] {
  const args = ['run', '--rm', '--init', '--name', spec.name];
  for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
  if (spec.user !== null) args.push('--user', `${spec.user.uid}:${spec.user.gid}`);
  args.push('--network', spec.network);
  if (spec.gpus !== null) args.push('--gpus', spec.gpus.includes(',') ? `"${spec.gpus}"` : spec.gpus);
  if (spec.shmSize !== null) args.push('--shm-size', spec.shmSize);
  args.push('--security-opt', 'no-new-privileges', '--cap-drop', 'ALL', '--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev');
  for (const mount of spec.mounts) {
    checkMountPath(mount.source, `mount source for ${mount.target}`);
    checkMountPath(mount.target, 'mount target');
    args.push('--mount', `type=bind,source=${mount.source},target=${mount.target}${mount.mode === 'ro' ? ',readonly' : ''}`);
  }
  for (const [key, value] of Object.entries(spec.env)) args.push('--env', `${key}=${value}`);
  for (const name of spec.passEnv) args.push('--env', name);
  if (spec.workdir !== null) args.push('--workdir', spec.workdir);
  if (spec.entrypoint !== null) args.push('--entrypoint', spec.entrypoint);
  args.push(...spec.extraArgs, spec.image, ...spec.command);
  return args;
}
