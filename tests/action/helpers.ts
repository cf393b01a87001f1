import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ActionIO } from '../../src/action/action-io.js';
import type { CacheBackend } from '../../src/action/evaluate/baseline-cache.js';
import type { InputReader } from '../../src/action/inputs/inputs.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..', '..');
export const FAKE_CLI = join(HERE, 'fixtures', 'fake-cli.mjs');
export const DOCKER_SHIM = join(HERE, 'fixtures', 'docker-shim.mjs');

/** Path of a certificate fixture (made by tests/fixtures/certificates/generate-fixtures.ts). */
export function fixtureCert(name: 'pass' | 'warn' | 'fail' | 'error' | 'accuracy' | 'catastrophe' | 'dev'): string {
  return join(REPO_ROOT, 'tests', 'fixtures', 'certificates', `${name}.cert.json`);
}

/** A fresh temporary directory (removed by the caller's afterEach via {@link removeDirs}). */
export function tempDir(prefix = 'invarlock-action-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDirs(dirs: string[]): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An InputReader over a record; booleans parse like `core.getBooleanInput`. */
export function recordReader(values: Readonly<Record<string, string>>): InputReader {
  return {
    get: (name) => values[name] ?? '',
    getBoolean: (name) => {
      const v = values[name] ?? '';
      if (['true', 'True', 'TRUE'].includes(v)) return true;
      if (['false', 'False', 'FALSE'].includes(v)) return false;
      throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}`);
    },
  };
}

/** An ActionIO that records everything. */
export interface RecordingIO extends ActionIO {
  readonly secrets: string[];
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly summary: string[];
  readonly logs: string[];
  readonly notices: string[];
  readonly warnings: string[];
  readonly failures: string[];
  readonly order: string[];
}

export function recordingIO(initialState: Record<string, string> = {}, options: { summaryFails?: boolean } = {}): RecordingIO {
  const io: RecordingIO = {
    secrets: [],
    outputs: {},
    state: { ...initialState },
    summary: [],
    logs: [],
    notices: [],
    warnings: [],
    failures: [],
    order: [],
    setSecret: (v) => {
      io.order.push('setSecret');
      io.secrets.push(v);
    },
    setOutput: (n, v) => {
      io.order.push(`output:${n}`);
      io.outputs[n] = v;
    },
    saveState: (n, v) => {
      io.state[n] = v;
    },
    getState: (n) => io.state[n] ?? '',
    appendSummary: async (md) => {
      io.order.push('summary');
      if (options.summaryFails === true) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY');
      io.summary.push(md);
    },
    info: (l) => {
      io.order.push('log');
      io.logs.push(l);
    },
    notice: (m) => io.notices.push(m),
    warning: (m) => io.warnings.push(m),
    startGroup: (n) => io.logs.push(`::group::${n}`),
    endGroup: () => io.logs.push('::endgroup::'),
    setFailed: (m) => io.failures.push(m),
  };
  return io;
}

/** An in-memory Actions cache: entries are copies of the saved directories. */
export interface MemoryCache extends CacheBackend {
  readonly entries: Map<string, string>;
  readonly calls: string[];
}

export function memoryCache(options: { available?: boolean; failRestore?: boolean; failSave?: boolean } = {}): MemoryCache {
  const store = tempDir('invarlock-cache-');
  const entries = new Map<string, string>();
  const calls: string[] = [];
  return {
    entries,
    calls,
    isAvailable: () => options.available ?? true,
    restore: async (paths, key) => {
      calls.push(`restore:${key}`);
      if (options.failRestore === true) throw new Error('Cache service responded with 503');
      const saved = entries.get(key);
      if (saved === undefined) return undefined;
      for (const [i, path] of paths.entries()) {
        mkdirSync(path, { recursive: true });
        cpSync(join(saved, String(i)), path, { recursive: true });
      }
      return key;
    },
    save: async (paths, key) => {
      calls.push(`save:${key}`);
      if (options.failSave === true) throw new Error('Unable to reserve cache with key');
      const target = join(store, String(entries.size));
      for (const [i, path] of paths.entries()) cpSync(path, join(target, String(i)), { recursive: true });
      entries.set(key, target);
    },
  };
}

/** Shim state (see fixtures/docker-shim.mjs). */
export interface ShimState {
  images: Record<string, unknown>;
  pullable?: Record<string, unknown>;
  gpu?: string | null;
  cli: string;
  cliEnv?: Record<string, string>;
  containers?: { id: string; labels: Record<string, string> }[];
  removed?: string[];
  runExit?: number;
  daemonDown?: boolean;
}

/** A docker shim installed in `dir/bin`: put `binDir` first on PATH. */
export interface DockerShim {
  readonly binDir: string;
  readonly logPath: string;
  readonly statePath: string;
  /** Extra environment for processes that should find the shim. */
  readonly env: Record<string, string>;
  calls(): { argv: string[]; envKeys: string[] }[];
  state(): ShimState;
}

export function installDockerShim(dir: string, state: ShimState): DockerShim {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const script = join(binDir, 'docker');
  const logPath = join(dir, 'docker-calls.jsonl');
  const statePath = join(dir, 'docker-state.json');
  // The paths live in the script: the Action gives docker an allow-listed environment only.
  writeFileSync(script, `#!/bin/sh\nDOCKER_SHIM_LOG='${logPath}' DOCKER_SHIM_STATE='${statePath}' exec "${process.execPath}" "${DOCKER_SHIM}" "$@"\n`);
  chmodSync(script, 0o755);
  writeFileSync(statePath, JSON.stringify(state));
  writeFileSync(logPath, '');
  return {
    binDir,
    logPath,
    statePath,
    env: { PATH: `${binDir}:${process.env['PATH'] ?? ''}`, HOME: dir },
    calls: () =>
      readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { argv: string[]; envKeys: string[] }),
    state: () => JSON.parse(readFileSync(statePath, 'utf8')) as ShimState,
  };
}

/** An image inspect record as `docker image inspect --format '{{json .}}'` prints it. */
export function inspectRecord(repository: string, digest: string, labels: Record<string, string> = {}): unknown {
  return { Id: `sha256:${'e'.repeat(64)}`, RepoDigests: [`${repository}@${digest}`], Config: { Labels: labels } };
}

/** A fake Action checkout: package-lock.json, dist/cli/index.js (the fake CLI), images.json, package.json. */
export function fakeActionRoot(
  dir: string,
  options: { withRuntime?: boolean; images?: { cuda: string | null; cpu: string | null }; cliEnv?: Record<string, string> } = {},
): string {
  const root = join(dir, 'action');
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'invarlock', version: '0.1.0', type: 'module' }));
  // The host launcher passes an allow-listed environment, so the fake CLI's settings are baked in.
  const settings = Object.entries(options.cliEnv ?? {}).map(([k, v]) => `process.env[${JSON.stringify(k)}] = ${JSON.stringify(v)};`).join('\n');
  writeFileSync(join(root, 'dist', 'cli', 'index.js'), `${settings}\nawait import(${JSON.stringify(pathToFileURL(FAKE_CLI).href)});\n`);
  mkdirSync(join(root, 'runtime-images'), { recursive: true });
  writeFileSync(join(root, 'runtime-images', 'images.json'), JSON.stringify({ images: options.images ?? { cuda: null, cpu: null } }));
  if (options.withRuntime === true) {
    mkdirSync(join(root, 'node_modules', 'onnxruntime-node'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'onnxruntime-node', 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version: '1.30.0' }));
  }
  return root;
}

export function exists(path: string): boolean {
  return existsSync(path);
}
