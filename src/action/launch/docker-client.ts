import { LABEL_JOB } from './docker-run-args.js';
import type { ProcessResult, ProcessRunner } from './spawn-process.js';

/** Variables the docker CLI itself may need; nothing else of the runner's environment reaches it. */
const DOCKER_CLIENT_ENV = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CONTEXT', 'XDG_RUNTIME_DIR', 'SystemRoot'];

/** What `docker image inspect` tells us about an image. */
export interface ImageInfo {
  readonly id: string;
  /** `repository@sha256:…` entries. */
  readonly repoDigests: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** Options of {@link createDockerClient}. */
export interface DockerClientOptions {
  readonly run: ProcessRunner;
  /** The runner's environment; only {@link DOCKER_CLIENT_ENV} and names passed to `runContainer` are forwarded. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default 'docker' */
  readonly command?: string;
}

/** Options of {@link DockerClient.runContainer}. */
export interface RunContainerOptions {
  /** Container name, for `docker kill` on timeout or abort. */
  readonly name: string;
  /** Host variables the container gets by name (`--env NAME`). */
  readonly passEnv: readonly string[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onStdoutLine?: (line: string) => void;
  readonly onStderrLine?: (line: string) => void;
}

/** The docker commands the Action uses. Never throws; failures come back as values. */
export interface DockerClient {
  /** Server version, or why the daemon is unreachable. */
  serverVersion(): Promise<{ readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string }>;
  inspectImage(ref: string): Promise<ImageInfo | null>;
  pull(ref: string): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
  /** `docker <args>` with `run …` args; on timeout or abort the container is killed by name first. */
  runContainer(args: readonly string[], options: RunContainerOptions): Promise<ProcessResult>;
  /** Removes (force) every container of this job; returns how many were removed. */
  removeJobContainers(jobKey: string): Promise<number>;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `docker image inspect --format '{{json .}}'` output. */
export function parseImageInspect(stdout: string): ImageInfo | null {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim());
  } catch {
    return null;
  }
  if (Array.isArray(value)) value = value[0];
  if (!isRecord(value) || typeof value['Id'] !== 'string') return null;
  const digests = Array.isArray(value['RepoDigests']) ? value['RepoDigests'].filter((d): d is string => typeof d === 'string') : [];
  const config = value['Config'];
  const rawLabels = isRecord(config) && isRecord(config['Labels']) ? config['Labels'] : {};
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawLabels)) if (typeof v === 'string') labels[k] = v;
  return { id: value['Id'], repoDigests: digests, labels };
}

function describeFailure(result: ProcessResult): string {
  switch (result.kind) {
    case 'not-found':
      return `'${result.command}' is not installed or not on PATH`;
    case 'spawn-failed':
      return result.message;
    case 'exited':
      return `exit ${result.exitCode}: ${result.stderrTail.trim().split('\n').slice(-3).join(' ')}`;
    case 'signalled':
      return `killed by ${result.signal}`;
    case 'timed-out':
      return 'timed out';
    case 'aborted':
      return 'aborted';
    default: {
      const unreachable: never = result;
      return String(unreachable);
    }
  }
}

/** Builds a {@link DockerClient} that runs the docker CLI with an allow-listed environment. */
export function createDockerClient(options: DockerClientOptions): DockerClient {
  const command = options.command ?? 'docker';
  const baseEnv = (extra: readonly string[]): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const name of [...DOCKER_CLIENT_ENV, ...extra]) {
      const value = options.env[name];
      if (value !== undefined) env[name] = value;
    }
    return env;
  };
  const docker = (args: readonly string[], timeoutMs = 120_000): Promise<ProcessResult> => options.run({ command, args, env: baseEnv([]), timeoutMs });
  return {
    serverVersion: async () => {
      const result = await docker(['version', '--format', '{{.Server.Version}}'], 30_000);
      if (result.kind === 'exited' && result.exitCode === 0) return { ok: true, version: result.stdout.trim() };
      return { ok: false, reason: describeFailure(result) };
    },
    inspectImage: async (ref) => {
      const result = await docker(['image', 'inspect', '--format', '{{json .}}', ref], 30_000);
      return result.kind === 'exited' && result.exitCode === 0 ? parseImageInspect(result.stdout) : null;
    },
    pull: async (ref) => {
      const result = await docker(['pull', '--quiet', ref], 30 * 60_000);
      return result.kind === 'exited' && result.exitCode === 0 ? { ok: true } : { ok: false, reason: describeFailure(result) };
    },
    runContainer: (args, runOptions) =>
      options.run({
        command,
        args,
        env: baseEnv(runOptions.passEnv),
        timeoutMs: runOptions.timeoutMs,
        ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
        ...(runOptions.onStdoutLine === undefined ? {} : { onStdoutLine: runOptions.onStdoutLine }),
        ...(runOptions.onStderrLine === undefined ? {} : { onStderrLine: runOptions.onStderrLine }),
        // The docker client may die without stopping the container: kill it by name first.
        onStop: async () => {
          await docker(['kill', runOptions.name], 30_000);
        },
      }),
    removeJobContainers: async (jobKey) => {
      const listed = await docker(['ps', '--all', '--quiet', '--filter', `label=${LABEL_JOB}=${jobKey}`], 30_000);
      if (listed.kind !== 'exited' || listed.exitCode !== 0) return 0;
      const ids = listed.stdout.split(/\s+/).filter((id) => /^[0-9a-f]{6,64}$/.test(id));
      if (ids.length === 0) return 0;
      const removed = await docker(['rm', '--force', ...ids], 60_000);
      return removed.kind === 'exited' && removed.exitCode === 0 ? ids.length : 0;
    },
  };
}

export { describeFailure as describeProcessFailure };
