import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { CacheBackend } from '../evaluate/baseline-cache.js';
import type { ProcessRunner } from './spawn-process.js';
import { describeProcessFailure } from './docker-client.js';
import type { ActionEventSink } from '../types.js';

/**
 * Host mode runs the bundled CLI (`dist/cli/index.js`) with the runner's Node. The bundle keeps
 * onnxruntime-node external (its native binding is loaded by a computed path), and the Action's
 * checkout has no node_modules, so this module provides it without a user install step:
 *
 * 1. already resolvable from `dist/cli` (this repository's own CI after `npm ci`) → use it;
 * 2. else a tool-cache directory keyed by the lockfile entries (persists on self-hosted runners);
 * 3. else `@actions/cache`;
 * 4. else `npm ci --ignore-scripts` of a generated package-lock.json that holds exactly
 *    onnxruntime-node's entries (version and `integrity`) from the Action's own package-lock.json,
 *    so npm verifies every tarball against the hashes we ship. `ONNXRUNTIME_NODE_INSTALL=skip`
 *    as well: no CUDA download from NuGet (host mode is CPU; GPUs use the container).
 *
 * The CLI directory is then copied beside that node_modules, so Node's resolver (ESM ignores
 * NODE_PATH) finds the package; NODE_PATH is also set for CommonJS `require`.
 */

/** The package host mode needs at run time. */
export const RUNTIME_PACKAGE = 'onnxruntime-node';

/** A package-lock.json reduced to one package and its dependency closure. */
export interface RuntimeLock {
  readonly version: string;
  /** `sha512-…` of the onnxruntime-node tarball, from the Action's package-lock.json. */
  readonly integrity: string;
  /** package.json and package-lock.json text to `npm ci` from. */
  readonly packageJson: string;
  readonly lockJson: string;
  /** sha256 of the canonical lock: names the tool-cache directory and the cache key. */
  readonly digest: string;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lockError(message: string): InvarlockError {
  return new InvarlockError('E_HOST_RUNTIME', `package-lock.json: ${message}`, {
    hint: 'The Action release is broken; pin another version or use execution-mode: container.',
    details: { file: 'package-lock.json' },
  });
}

/** Where npm would install `name` when required from the package at `from` (nested first, then hoisted). */
function locate(packages: Readonly<Record<string, unknown>>, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (isRecord(packages[candidate])) return candidate;
    if (base === '') return null;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

/**
 * Builds the install lockfile for {@link RUNTIME_PACKAGE} from the Action's package-lock.json
 * (lockfileVersion 2 or 3): the package's entry and its dependency closure, copied verbatim with
 * their `integrity`. Throws `E_HOST_RUNTIME` when the lock lacks them.
 */
export function buildRuntimeLock(lock: unknown, name: string = RUNTIME_PACKAGE): RuntimeLock {
  if (!isRecord(lock) || !isRecord(lock['packages'])) throw lockError('no "packages" (lockfileVersion 2 or later is needed)');
  const packages = lock['packages'];
  const rootPath = `node_modules/${name}`;
  const root = packages[rootPath];
  if (!isRecord(root) || typeof root['version'] !== 'string' || typeof root['integrity'] !== 'string') throw lockError(`no version and integrity for ${name}`);
  const closure: Record<string, unknown> = {};
  const queue = [rootPath];
  while (queue.length > 0) {
    const path = queue.shift() ?? '';
    if (Object.hasOwn(closure, path)) continue;
    const entry = packages[path];
    if (!isRecord(entry) || typeof entry['integrity'] !== 'string') throw lockError(`${path} has no integrity`);
    const { dev: _dev, devOptional: _devOptional, ...kept } = entry;
    closure[path] = kept;
    const deps = isRecord(entry['dependencies']) ? Object.keys(entry['dependencies']) : [];
    const optional = isRecord(entry['optionalDependencies']) ? Object.keys(entry['optionalDependencies']) : [];
    for (const dep of deps) {
      const at = locate(packages, path, dep);
      if (at === null) throw lockError(`${path} needs ${dep}, which the lock does not hold`);
      queue.push(at);
    }
    for (const dep of optional) {
      const at = locate(packages, path, dep);
      if (at !== null) queue.push(at);
    }
  }
  const version = root['version'];
  const manifest = { name: 'invarlock-host-runtime', version: '0.0.0', private: true, type: 'module', dependencies: { [name]: version } };
  const sorted = Object.fromEntries(Object.entries(closure).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const lockOut = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies }, ...sorted },
  };
  return {
    version,
    integrity: root['integrity'],
    packageJson: `${JSON.stringify(manifest, null, 2)}\n`,
    lockJson: `${JSON.stringify(lockOut, null, 2)}\n`,
    digest: sha256Hex(canonicalJson(lockOut)),
  };
}

/** Where the CLI runs from in host mode. */
export interface HostRuntime {
  /** The CLI entry to run with the runner's Node. */
  readonly cliEntry: string;
  /** node_modules holding onnxruntime-node (for NODE_PATH). */
  readonly nodeModules: string;
  readonly source: 'action-checkout' | 'tool-cache' | 'actions-cache' | 'npm';
  readonly version: string;
}

/** Options of {@link ensureHostRuntime}. */
export interface HostRuntimeOptions {
  /** Root of the Action's checkout (holds package-lock.json and dist/cli/). */
  readonly actionRoot: string;
  /** `RUNNER_TOOL_CACHE`. */
  readonly toolCache: string;
  /** null when `cache: false`. */
  readonly cache: CacheBackend | null;
  readonly run: ProcessRunner;
  /** The runner's environment: npm gets PATH, HOME, proxies and `npm_config_*` from it, nothing else. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onEvent: ActionEventSink;
  /** @default process.platform */
  readonly platform?: string;
  /** @default process.arch */
  readonly arch?: string;
  /** @default 600000 (10 min) */
  readonly installTimeoutMs?: number;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** The version of `name` Node would load when resolving from `fromDir`, or null. */
async function resolvableVersion(fromDir: string, name: string): Promise<{ readonly version: string; readonly nodeModules: string } | null> {
  let dir = fromDir;
  for (;;) {
    const manifest = await readJson(join(dir, 'node_modules', name, 'package.json'));
    if (isRecord(manifest) && typeof manifest['version'] === 'string') return { version: manifest['version'], nodeModules: join(dir, 'node_modules') };
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** True when `dir` holds the pinned package installed from the pinned tarball. */
async function isVerifiedInstall(dir: string, lock: RuntimeLock): Promise<boolean> {
  const manifest = await readJson(join(dir, 'node_modules', RUNTIME_PACKAGE, 'package.json'));
  if (!isRecord(manifest) || manifest['version'] !== lock.version) return false;
  // npm records what it installed, with the integrity it checked, in the hidden lockfile.
  const hidden = await readJson(join(dir, 'node_modules', '.package-lock.json'));
  const packages = isRecord(hidden) ? hidden['packages'] : undefined;
  const entry = isRecord(packages) ? packages[`node_modules/${RUNTIME_PACKAGE}`] : undefined;
  return isRecord(entry) && entry['integrity'] === lock.integrity;
}

const NPM_ENV = /^(PATH|HOME|USERPROFILE|APPDATA|TMPDIR|TEMP|TMP|SystemRoot|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|npm_config_.*|NPM_CONFIG_.*|NODE_EXTRA_CA_CERTS)$/;

async function npmInstall(dir: string, lock: RuntimeLock, options: HostRuntimeOptions): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), lock.packageJson);
  await writeFile(join(dir, 'package-lock.json'), lock.lockJson);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined && NPM_ENV.test(k)) env[k] = v;
  env['ONNXRUNTIME_NODE_INSTALL'] = 'skip';
  const result = await options.run({
    command: 'npm',
    args: ['ci', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'],
    env,
    cwd: dir,
    timeoutMs: options.installTimeoutMs ?? 600_000,
    onStderrLine: (line) => options.onEvent({ type: 'log', line: `npm: ${line}` }),
  });
  if (result.kind !== 'exited' || result.exitCode !== 0) {
    throw new InvarlockError('E_HOST_RUNTIME', `npm ci of ${RUNTIME_PACKAGE}@${lock.version} failed: ${describeProcessFailure(result)}`, {
      hint: result.kind === 'not-found' ? 'Host mode needs npm on PATH (actions/setup-node), or use execution-mode: container.' : 'Check the runner can reach the npm registry (or a mirror via npm_config_registry).',
      details: { expected: `${RUNTIME_PACKAGE}@${lock.version}` },
    });
  }
  if (!(await isVerifiedInstall(dir, lock))) {
    throw new InvarlockError('E_HOST_RUNTIME', `npm installed ${RUNTIME_PACKAGE}, but not version ${lock.version} with integrity ${lock.integrity}`, {
      details: { expected: `${lock.version} ${lock.integrity}` },
    });
  }
}

async function copyCli(actionRoot: string, runtimeDir: string): Promise<string> {
  const source = join(actionRoot, 'dist', 'cli');
  const entry = join(source, 'index.js');
  const bytes = await readFile(entry).catch((error: unknown) => {
    throw new InvarlockError('E_HOST_RUNTIME', `the CLI bundle ${entry} is missing`, { hint: 'Run npm run bundle (dist/ is committed).', details: { file: entry }, cause: error });
  });
  const target = join(runtimeDir, `cli-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`);
  if (!(await exists(join(target, 'index.js')))) {
    const staging = `${target}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(source, staging, { recursive: true });
    // Another job on this runner may have copied the same bundle: either copy is fine.
    await rename(staging, target).catch(async () => rm(staging, { recursive: true, force: true }));
  }
  return join(target, 'index.js');
}

/**
 * Makes onnxruntime-node available to the CLI bundle in host mode (see the module comment for the
 * order of sources). Cache errors are notices, never failures. Throws `E_HOST_RUNTIME` when the
 * package cannot be installed or does not verify.
 */
export async function ensureHostRuntime(options: HostRuntimeOptions): Promise<HostRuntime> {
  const lock = buildRuntimeLock(await readJson(join(options.actionRoot, 'package-lock.json')));
  const checkout = await resolvableVersion(join(options.actionRoot, 'dist', 'cli'), RUNTIME_PACKAGE);
  if (checkout !== null && checkout.version === lock.version) {
    return { cliEntry: join(options.actionRoot, 'dist', 'cli', 'index.js'), nodeModules: checkout.nodeModules, source: 'action-checkout', version: lock.version };
  }
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const dir = join(options.toolCache, 'invarlock-runtime', `${RUNTIME_PACKAGE}-${lock.version}-${platform}-${arch}-${lock.digest.slice(0, 16)}`);
  const nodeModules = join(dir, 'node_modules');
  let source: HostRuntime['source'] = 'tool-cache';
  if (!(await isVerifiedInstall(dir, lock))) {
    const key = `invarlock-host-runtime-${platform}-${arch}-${lock.digest.slice(0, 40)}`;
    let restored = false;
    if (options.cache !== null && options.cache.isAvailable()) {
      try {
        restored = (await options.cache.restore([dir], key)) !== undefined && (await isVerifiedInstall(dir, lock));
      } catch (error) {
        options.onEvent({ type: 'notice', id: 'host-runtime-cache', message: `runtime cache restore failed (${error instanceof Error ? error.message : String(error)}); installing` });
      }
    }
    if (restored) {
      source = 'actions-cache';
    } else {
      options.onEvent({ type: 'log', line: `installing ${RUNTIME_PACKAGE}@${lock.version} (integrity ${lock.integrity.slice(0, 20)}…) into ${dir}` });
      await npmInstall(dir, lock, options);
      source = 'npm';
      if (options.cache !== null && options.cache.isAvailable()) {
        try {
          await options.cache.save([dir], key);
        } catch (error) {
          options.onEvent({ type: 'notice', id: 'host-runtime-cache', message: `runtime cache save failed (${error instanceof Error ? error.message : String(error)})` });
        }
      }
    }
  }
  return { cliEntry: await copyCli(options.actionRoot, dir), nodeModules, source, version: lock.version };
}
