import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ADAPTER_NAMES } from '../../adapters/index.js';
import { PROFILE_NAMES, TIER_NAMES } from '../../contracts/index.js';
import { EDIT_NAMES } from '../../edits/index.js';
import { InvarlockError } from '../../errors/index.js';
import { DEVICE_CHOICES } from '../../eval/index.js';
import { DEFAULTS, DOCS_LINKS } from './defaults.js';
import { parseDockerArgs } from './docker-args.js';
import { parseImageRef } from './image-ref.js';
import { tokenProblem } from '../launch/untrusted-text.js';
import type { ActionInputs, ActionMode, ExecutionInputs, PlanInputs, PublishingInputs, ShardSpec, SigningInputs } from '../types.js';

/** Reads raw input values; the default reads `INPUT_*` through `@actions/core`. */
export interface InputReader {
  /** The trimmed value, '' when unset. */
  readonly get: (name: string) => string;
  /** YAML 1.2 core-schema boolean; throws TypeError on anything else (as `core.getBooleanInput`). */
  readonly getBoolean: (name: string) => boolean;
}

/** Options of {@link parseInputs}. */
export interface ParseInputsOptions {
  readonly reader: InputReader;
  /** Absolute `GITHUB_WORKSPACE`: relative paths in inputs resolve against it. */
  readonly workspace: string;
}

/** Every input name the Action defines (action.yml `inputs`, in order). */
export const INPUT_NAMES = [
  'baseline', 'subject', 'subject-lora', 'edit', 'edit-config', 'adapter',
  'config', 'profile', 'tier', 'dataset', 'seq-len', 'preview-n', 'final-n', 'seed', 'batch-size', 'device', 'shard', 'cache-dir',
  'execution-mode', 'runtime-image', 'allow-unpinned-image', 'gpus', 'shm-size', 'docker-args', 'allow-network', 'timeout-minutes', 'fork-policy',
  'github-token', 'check-name', 'comment', 'job-summary', 'fail-on', 'action-fail', 'output-dir', 'cache', 'upload-artifact',
  'certificate', 'head-sha', 'pull-request', 'aggregate',
  'fulcio-url', 'rekor-url', 'require-signature', 'signer-identity', 'signer-oidc-issuer', 'trusted-root',
] as const;

/** One Action input name. */
export type InputName = (typeof INPUT_NAMES)[number];

/** Paths the container may never mount and outputs may never be written to. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev', '/run', '/var/run', '/etc', '/boot'];

/** True when an absolute path is `/` or lies under a system directory that is never mounted or written. */
export function isForbiddenHostPath(path: string): boolean {
  const p = resolve(path);
  return p === '/' || FORBIDDEN_ROOTS.some((root) => p === root || p.startsWith(`${root}/`));
}

class Collector {
  readonly problems: string[] = [];
  readonly names = new Set<string>();
  constructor(private readonly reader: InputReader) {}

  raw(name: InputName): string {
    return this.reader.get(name).trim();
  }

  problem(name: InputName, message: string): void {
    this.problems.push(`${name}: ${message}`);
    this.names.add(name);
  }

  text(name: InputName): string | null {
    const value = this.raw(name);
    return value === '' ? null : value;
  }

  choice<T extends string>(name: InputName, allowed: readonly T[]): T | null {
    const value = this.raw(name);
    if (value === '') return null;
    const match = allowed.find((a) => a === value);
    if (match === undefined) this.problem(name, `'${value}' is not one of ${allowed.join(', ')}`);
    return match ?? null;
  }

  integer(name: InputName, min: number, max: number): number | null {
    const value = this.raw(name);
    if (value === '') return null;
    if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problem(name, `'${value}' is not an integer from ${min} to ${max}`);
      return null;
    }
    return Number(value);
  }

  flag(name: InputName, fallback: boolean): boolean {
    if (this.raw(name) === '') return fallback;
    try {
      return this.reader.getBoolean(name);
    } catch {
      this.problem(name, `'${this.raw(name)}' is not a boolean (true | True | TRUE | false | False | FALSE)`);
      return fallback;
    }
  }

  path(name: InputName, workspace: string): string | null {
    const value = this.text(name);
    if (value === null) return null;
    const absolute = isAbsolute(value) ? resolve(value) : resolve(workspace, value);
    if (isForbiddenHostPath(absolute)) {
      this.problem(name, `'${value}' is a system directory`);
      return null;
    }
    return absolute;
  }
}

function parseShard(c: Collector): ShardSpec | null {
  const value = c.raw('shard');
  if (value === '') return null;
  const match = /^([0-9]+)\s*\/\s*([0-9]+)$/.exec(value);
  const i = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (match === null || i < 1 || n < 1 || n > 256 || i > n) {
    c.problem('shard', `'${value}' is not i/n with 1 <= i <= n <= 256 (1-based, e.g. 2/4)`);
    return null;
  }
  return { index: i - 1, count: n };
}

function parseEditConfig(c: Collector): Readonly<Record<string, unknown>> | null {
  const value = c.raw('edit-config');
  if (value === '') return null;
  let parsed: unknown;
  try {
    parsed = parseYaml(value, { uniqueKeys: true, maxAliasCount: 10 });
  } catch {
    c.problem('edit-config', 'is not valid YAML or JSON');
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    c.problem('edit-config', 'must be a mapping, e.g. {"bits": 8, "group_size": 128}');
    return null;
  }
  return Object.fromEntries(Object.entries(parsed));
}

function parseBatchSize(c: Collector): 'auto' | number | null {
  const value = c.raw('batch-size');
  if (value === '') return null;
  if (value === 'auto') return 'auto';
  return c.integer('batch-size', 1, 4096);
}

function parseMode(c: Collector, workspace: string): ActionMode {
  const certificate = c.path('certificate', workspace);
  const aggregate = c.path('aggregate', workspace);
  const headSha = c.text('head-sha');
  const pullRequest = c.integer('pull-request', 1, Number.MAX_SAFE_INTEGER);
  const evaluationInputs: InputName[] = ['baseline', 'subject', 'subject-lora', 'edit', 'config', 'shard'];
  if (headSha !== null && !/^[0-9a-f]{40}$/.test(headSha)) c.problem('head-sha', 'must be a full 40-character commit SHA');
  if (certificate !== null) {
    if (aggregate !== null) c.problem('aggregate', 'cannot be combined with certificate (publisher-only mode)');
    if (headSha === null) c.problem('head-sha', 'is required with certificate (publisher-only mode)');
    for (const name of evaluationInputs) if (c.raw(name) !== '') c.problem(name, 'has no effect in publisher-only mode (certificate is set)');
    return { kind: 'publish', certificatePath: certificate, headSha: headSha ?? '', pullRequest };
  }
  if (headSha !== null) c.problem('head-sha', 'is only used with certificate (publisher-only mode)');
  if (pullRequest !== null) c.problem('pull-request', 'is only used with certificate (publisher-only mode)');
  if (aggregate !== null) {
    for (const name of evaluationInputs.filter((n) => n !== 'config')) {
      if (c.raw(name) !== '') c.problem(name, 'has no effect in aggregate mode (aggregate is set)');
    }
    return { kind: 'aggregate', inputDir: aggregate };
  }
  const given = (['subject', 'subject-lora', 'edit'] as const).filter((n) => c.raw(n) !== '');
  if (given.length > 1) c.problem(given[1] ?? 'edit', `give one of subject, subject-lora, edit (got ${given.join(', ')})`);
  if (c.raw('baseline') === '' && c.raw('config') === '') c.problem('baseline', 'is required (or a config file that sets baseline)');
  if (c.raw('edit-config') !== '' && c.raw('edit') === '' && c.raw('config') === '') c.problem('edit-config', 'needs edit');
  return { kind: 'evaluate' };
}

function parsePlan(c: Collector, workspace: string): PlanInputs {
  return {
    config: c.path('config', workspace),
    baseline: c.text('baseline'),
    subject: c.text('subject'),
    subjectLora: c.text('subject-lora'),
    edit: c.choice('edit', EDIT_NAMES),
    editConfig: parseEditConfig(c),
    adapter: c.choice('adapter', ['auto', ...ADAPTER_NAMES] as const),
    profile: c.choice('profile', PROFILE_NAMES),
    tier: c.choice('tier', TIER_NAMES),
    dataset: c.text('dataset'),
    seqLen: c.integer('seq-len', 8, 131072),
    previewN: c.integer('preview-n', 1, 100000),
    finalN: c.integer('final-n', 1, 100000),
    seed: c.integer('seed', 0, 4294967295),
    batchSize: parseBatchSize(c),
    device: c.choice('device', DEVICE_CHOICES),
    shard: parseShard(c),
    cacheDir: c.path('cache-dir', workspace),
  };
}

function parseExecution(c: Collector): ExecutionInputs {
  const network = c.flag('allow-network', DEFAULTS['allow-network']) ? 'allowed' : 'none';
  const imagePolicy = c.flag('allow-unpinned-image', DEFAULTS['allow-unpinned-image']) ? 'allow-tag' : 'digest-only';
  const runtimeImage = c.text('runtime-image');
  if (runtimeImage !== null) {
    const ref = parseImageRef(runtimeImage);
    if (ref === null) c.problem('runtime-image', `'${runtimeImage}' is not an image reference (repository[:tag]@sha256:…)`);
    else if (ref.digest === null && imagePolicy === 'digest-only') {
      c.problem('runtime-image', `'${runtimeImage}' is not pinned by digest: use repository@sha256:… or set allow-unpinned-image: true`);
    }
  }
  const gpus = c.text('gpus') ?? DEFAULTS.gpus;
  if (!/^(all|none|[1-9][0-9]{0,2}|device=[0-9A-Za-z-]+(,[0-9A-Za-z-]+)*)$/.test(gpus)) {
    c.problem('gpus', `'${gpus}' is not all, none, a count or device=ID[,ID…]`);
  }
  const shmSize = c.text('shm-size') ?? DEFAULTS['shm-size'];
  if (!/^[0-9]+[bkmgBKMG]?$/.test(shmSize)) c.problem('shm-size', `'${shmSize}' is not a size such as 2g or 512m`);
  const parsedArgs = parseDockerArgs(c.raw('docker-args'), { network });
  if (!parsedArgs.ok) for (const p of parsedArgs.problems) c.problem('docker-args', p.replace(/^docker-args: /, ''));
  return {
    mode: c.choice('execution-mode', ['container', 'host'] as const) ?? DEFAULTS['execution-mode'],
    runtimeImage,
    imagePolicy,
    gpus,
    shmSize,
    dockerArgs: parsedArgs.ok ? parsedArgs.value : { args: [], passEnv: [], network: null },
    network,
    timeoutMinutes: c.integer('timeout-minutes', 0, 4320) ?? DEFAULTS['timeout-minutes'],
    forkPolicy: c.choice('fork-policy', ['skip', 'run'] as const) ?? DEFAULTS['fork-policy'],
  };
}

function parsePublishing(c: Collector, workspace: string): PublishingInputs {
  const token = c.raw('github-token');
  // The value is never echoed: only that it is unusable (#13).
  const badToken = tokenProblem(token);
  if (badToken !== null) c.problem('github-token', badToken);
  const checkName = c.text('check-name') ?? DEFAULTS['check-name'];
  if (checkName.length > 200) c.problem('check-name', 'is longer than 200 characters');
  return {
    token,
    checkName,
    comment: c.choice('comment', ['off', 'always', 'on-change', 'on-fail'] as const) ?? DEFAULTS.comment,
    jobSummary: c.flag('job-summary', DEFAULTS['job-summary']) ? 'write' : 'skip',
    failOn: c.choice('fail-on', ['fail', 'warn', 'never'] as const) ?? DEFAULTS['fail-on'],
    stepFailure: c.flag('action-fail', DEFAULTS['action-fail']) ? 'on-blocking' : 'never',
    outputDir: c.path('output-dir', workspace) ?? resolve(workspace, DEFAULTS['output-dir']),
    cache: c.flag('cache', DEFAULTS.cache) ? 'use' : 'off',
    uploadArtifact: c.flag('upload-artifact', DEFAULTS['upload-artifact']) ? 'upload' : 'skip',
  };
}

function endpoint(c: Collector, name: 'fulcio-url' | 'rekor-url' | 'signer-oidc-issuer'): string {
  const value = c.text(name) ?? DEFAULTS[name];
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) c.problem(name, `'${value}' is not an http(s) URL`);
  return value;
}

function parseSigning(c: Collector, workspace: string, mode: ActionMode): SigningInputs {
  const require = c.flag('require-signature', DEFAULTS['require-signature']);
  const identity = c.text('signer-identity');
  if (require && mode.kind !== 'publish') c.problem('require-signature', 'is only used with certificate (publisher-only mode)');
  if (require && identity === null) c.problem('signer-identity', 'is required with require-signature: the workflow identity that must have signed, e.g. https://github.com/OWNER/REPO/.github/workflows/certify.yml@refs/heads/main');
  return {
    fulcioUrl: endpoint(c, 'fulcio-url'),
    rekorUrl: endpoint(c, 'rekor-url'),
    require,
    identity,
    issuer: endpoint(c, 'signer-oidc-issuer'),
    trustedRoot: c.path('trusted-root', workspace),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Reads every input once and returns one frozen, validated record. Relative paths resolve against
 * the workspace. Throws `E_ACTION_INPUT` listing every bad input in `details.problems` and their
 * names in `details.inputs`. Reads no other state and logs nothing (mask the token first).
 */
export function parseInputs(options: ParseInputsOptions): ActionInputs {
  const c = new Collector(options.reader);
  const mode = parseMode(c, options.workspace);
  const inputs: ActionInputs = {
    mode,
    plan: parsePlan(c, options.workspace),
    execution: parseExecution(c),
    publishing: parsePublishing(c, options.workspace),
    signing: parseSigning(c, options.workspace, mode),
  };
  if (c.problems.length > 0) {
    throw new InvarlockError('E_ACTION_INPUT', `${c.problems.length} invalid input${c.problems.length === 1 ? '' : 's'}: ${c.problems[0] ?? ''}`, {
      details: { problems: c.problems.slice(0, 50), inputs: [...c.names] },
      hint: `See the inputs table: ${DOCS_LINKS.inputs}`,
    });
  }
  return deepFreeze(inputs);
}
