import type { DockerExtraArgs } from '../types.js';

/**
 * What each allowed `docker-args` flag takes. Everything else is refused: flags that widen the
 * container's privileges (`--privileged`, `--cap-add`, `--security-opt`, `--pid`, `--userns`),
 * flags the Action owns (`--user`, `--name`, `--entrypoint`, `--gpus`, `--shm-size`, `--rm`,
 * `--workdir`) and flags that would leak the environment (`--env-file`).
 */
const ALLOWED_FLAGS = {
  '--ipc': 'value',
  '--ulimit': 'value',
  '--memory': 'value',
  '-m': 'value',
  '--memory-swap': 'value',
  '--cpus': 'value',
  '--cpuset-cpus': 'value',
  '--cpuset-mems': 'value',
  '--pids-limit': 'value',
  '--device': 'value',
  '--runtime': 'value',
  '--add-host': 'value',
  '--label': 'value',
  '-l': 'value',
  '--tmpfs': 'value',
  '--stop-timeout': 'value',
  '--platform': 'value',
  '--env': 'env',
  '-e': 'env',
  '--volume': 'volume',
  '-v': 'volume',
  '--mount': 'mount',
  '--network': 'network',
  '--net': 'network',
} as const satisfies Record<string, 'value' | 'env' | 'volume' | 'mount' | 'network'>;

type AllowedFlag = keyof typeof ALLOWED_FLAGS;

/** Host variables that `-e NAME` may never pass into the container (credentials of the runner). */
const FORBIDDEN_ENV = /^(GITHUB_TOKEN|ACTIONS_[A-Z0-9_]*|INPUT_.*|RUNNER_TOKEN)$/;

/** Options of {@link parseDockerArgs}. */
export interface ParseDockerArgsOptions {
  /** `allow-network`: `--network`/`--net` are accepted only when the network is allowed. */
  readonly network: 'none' | 'allowed';
}

/** The result of {@link parseDockerArgs}: parsed arguments, or every problem found. */
export type ParsedDockerArgs = { readonly ok: true; readonly value: DockerExtraArgs } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Splits a `docker-args` string like a POSIX shell would split words, without any expansion:
 * whitespace separates, `'…'` is literal, `"…"` honours `\"` and `\\`, a backslash outside quotes
 * escapes the next character. Returns null for an unterminated quote or a trailing backslash.
 */
export function tokenizeArgs(text: string): string[] | null {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return null;
      current += text.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      let closed = false;
      while (i < text.length) {
        const c = text.charAt(i);
        if (c === '\\' && (text.charAt(i + 1) === '"' || text.charAt(i + 1) === '\\')) {
          current += text.charAt(i + 1);
          i += 2;
        } else if (c === '"') {
          closed = true;
          i += 1;
          break;
        } else {
          current += c;
          i += 1;
        }
      }
      if (!closed) return null;
      inToken = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return null;
      current += text.charAt(i + 1);
      inToken = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      i += 1;
    } else {
      current += ch;
      inToken = true;
      i += 1;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

function isAllowedFlag(flag: string): flag is AllowedFlag {
  return Object.hasOwn(ALLOWED_FLAGS, flag);
}

function checkVolume(value: string): string | null {
  // Named volume or bind: SRC:DST[:OPTS]; only read-only mounts may be added by the user.
  const parts = value.split(':');
  if (parts.length !== 3) return `-v ${value}: give SRC:DST:ro (extra mounts must be read-only)`;
  const options = (parts[2] ?? '').split(',');
  if (!options.includes('ro')) return `-v ${value}: extra mounts must be read-only (add :ro)`;
  if (!(parts[1] ?? '').startsWith('/')) return `-v ${value}: the container path must be absolute`;
  return null;
}

function checkMount(value: string): string | null {
  const fields = value.split(',').map((f) => f.trim());
  const isReadOnly = fields.some((f) => f === 'readonly' || f === 'ro' || f === 'readonly=true' || f === 'ro=true' || f === 'ro=1');
  if (!isReadOnly) return `--mount ${value}: extra mounts must be read-only (add readonly)`;
  if (fields.some((f) => f === 'type=tmpfs')) return null;
  const hasTarget = fields.some((f) => /^(dst|destination|target)=\//.test(f));
  return hasTarget ? null : `--mount ${value}: give an absolute target=`;
}

/**
 * Parses and checks the `docker-args` input against an allow-list. Accepts `--flag value` and
 * `--flag=value`; `-e NAME=value` sets a value, `-e NAME` passes a host variable through by name
 * (never runner credentials). Extra mounts must be read-only; `--network` needs `allow-network` and
 * applies to the prefetch container only (the evaluation always runs with `--network none`).
 * Returns every problem found rather than the first.
 */
export function parseDockerArgs(text: string, options: ParseDockerArgsOptions): ParsedDockerArgs {
  const tokens = tokenizeArgs(text);
  if (tokens === null) return { ok: false, problems: ['docker-args: unterminated quote or trailing backslash'] };
  const problems: string[] = [];
  const args: string[] = [];
  const passEnv: string[] = [];
  let network: string | null = null;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] ?? '';
    i += 1;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token;
    if (!flag.startsWith('-')) {
      problems.push(`docker-args: unexpected argument '${token}' (only flags are allowed; the image and command are the Action's)`);
      continue;
    }
    if (!isAllowedFlag(flag)) {
      problems.push(`docker-args: '${flag}' is not allowed`);
      if (eq < 0 && i < tokens.length && !(tokens[i] ?? '').startsWith('-')) i += 1;
      continue;
    }
    let value: string;
    if (eq > 0) {
      value = token.slice(eq + 1);
    } else {
      const next = tokens[i];
      if (next === undefined) {
        problems.push(`docker-args: '${flag}' needs a value`);
        continue;
      }
      value = next;
      i += 1;
    }
    const kind = ALLOWED_FLAGS[flag];
    let problem: string | null = null;
    switch (kind) {
      case 'value':
        break;
      case 'env': {
        const name = value.includes('=') ? value.slice(0, value.indexOf('=')) : value;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problem = `docker-args: '${flag} ${value}': invalid variable name`;
        else if (FORBIDDEN_ENV.test(name)) problem = `docker-args: '${flag} ${name}': runner credentials are never passed into the container`;
        else if (!value.includes('=')) passEnv.push(name);
        break;
      }
      case 'volume':
        problem = checkVolume(value);
        break;
      case 'mount':
        problem = checkMount(value);
        break;
      case 'network':
        if (options.network !== 'allowed') problem = `docker-args: '${flag}' needs allow-network: true (the container runs with --network none)`;
        else if (network !== null) problem = `docker-args: '${flag}' given twice`;
        else network = value;
        break;
      default: {
        const unreachable: never = kind;
        problem = `docker-args: unknown flag kind ${String(unreachable)}`;
      }
    }
    if (problem !== null) problems.push(problem);
    else if (kind !== 'network') args.push(flag, value);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { args, passEnv, network } };
}
