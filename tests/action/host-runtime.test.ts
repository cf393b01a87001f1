import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRuntimeLock, ensureHostRuntime } from '../../src/action/launch/host-runtime.js';
import type { ProcessRunner, RunProcessOptions } from '../../src/action/launch/spawn-process.js';
import type { ActionEvent } from '../../src/action/types.js';
import { fakeActionRoot, memoryCache, REPO_ROOT, removeDirs, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => removeDirs(dirs));
const LOCK = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8'));
const ORT = LOCK.packages['node_modules/onnxruntime-node'] as { version: string; integrity: string };

/** A fake `npm ci` that installs what the lockfile in its cwd says (or misbehaves when told). */
function fakeNpm(calls: RunProcessOptions[], behaviour: 'ok' | 'fail' | 'wrong-integrity' | 'missing' = 'ok'): ProcessRunner {
  return async (options) => {
    calls.push(options);
    if (behaviour === 'missing') return { kind: 'not-found', command: options.command };
    if (behaviour === 'fail') return { kind: 'exited', exitCode: 1, stdout: '', stderrTail: 'npm error code EINTEGRITY', durationMs: 1 };
    const cwd = options.cwd ?? '';
    const lock = JSON.parse(readFileSync(join(cwd, 'package-lock.json'), 'utf8'));
    const entry = lock.packages['node_modules/onnxruntime-node'];
    mkdirSync(join(cwd, 'node_modules', 'onnxruntime-node'), { recursive: true });
    writeFileSync(join(cwd, 'node_modules', 'onnxruntime-node', 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version: entry.version }));
    const integrity = behaviour === 'wrong-integrity' ? 'sha512-forged' : entry.integrity;
    writeFileSync(join(cwd, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/onnxruntime-node': { version: entry.version, integrity } } }));
    return { kind: 'exited', exitCode: 0, stdout: '', stderrTail: '', durationMs: 1 };
  };
}

function setup(options: { withRuntime?: boolean } = {}) {
  const dir = tempDir();
  dirs.push(dir);
  return { dir, actionRoot: fakeActionRoot(dir, options), toolCache: join(dir, 'tool-cache') };
}

describe('buildRuntimeLock', () => {
  it('copies onnxruntime-node and its dependency closure with their integrity from the Action\'s lock', () => {
    const lock = buildRuntimeLock(LOCK);
    const parsed = JSON.parse(lock.lockJson);
    expect(lock.version).toBe(ORT.version);
    expect(lock.integrity).toBe(ORT.integrity);
    expect(parsed.packages['']).toEqual({ name: 'invarlock-host-runtime', version: '0.0.0', dependencies: { 'onnxruntime-node': ORT.version } });
    expect(Object.keys(parsed.packages)).toEqual(expect.arrayContaining(['node_modules/onnxruntime-node', 'node_modules/onnxruntime-common', 'node_modules/adm-zip', 'node_modules/global-agent']));
    expect(Object.keys(parsed.packages)).not.toContain('node_modules/vitest');
    for (const [path, entry] of Object.entries(parsed.packages)) if (path !== '') expect((entry as { integrity: string }).integrity, path).toMatch(/^sha512-/);
    expect(JSON.parse(lock.packageJson).dependencies).toEqual({ 'onnxruntime-node': ORT.version });
  });

  it('fails with E_HOST_RUNTIME on a lock without the package', () => {
    expect(() => buildRuntimeLock({ packages: {} })).toThrow(expect.objectContaining({ code: 'E_HOST_RUNTIME' }));
    expect(() => buildRuntimeLock({ lockfileVersion: 1 })).toThrow(expect.objectContaining({ code: 'E_HOST_RUNTIME' }));
  });
});

describe('ensureHostRuntime', () => {
  it('uses the checkout\'s own node_modules when it already holds the pinned version', async () => {
    const { actionRoot, toolCache } = setup({ withRuntime: true });
    const calls: RunProcessOptions[] = [];
    const runtime = await ensureHostRuntime({ actionRoot, toolCache, cache: null, run: fakeNpm(calls), env: {}, onEvent: () => undefined });
    expect(runtime).toMatchObject({ source: 'action-checkout', cliEntry: join(actionRoot, 'dist', 'cli', 'index.js'), nodeModules: join(actionRoot, 'node_modules') });
    expect(calls).toHaveLength(0);
  });

  it('installs with npm ci --ignore-scripts from a generated lock, without the CUDA download, then caches it', async () => {
    const { actionRoot, toolCache } = setup();
    const calls: RunProcessOptions[] = [];
    const cache = memoryCache();
    const runtime = await ensureHostRuntime({ actionRoot, toolCache, cache, run: fakeNpm(calls), env: { PATH: '/usr/bin', GITHUB_TOKEN: 'ghs_x', npm_config_registry: 'https://mirror' }, onEvent: () => undefined });
    expect(runtime.source).toBe('npm');
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call?.command).toBe('npm');
    expect(call?.args).toEqual(['ci', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error']);
    expect(call?.env).toEqual({ PATH: '/usr/bin', npm_config_registry: 'https://mirror', ONNXRUNTIME_NODE_INSTALL: 'skip' });
    const written = JSON.parse(readFileSync(join(call?.cwd ?? '', 'package-lock.json'), 'utf8'));
    expect(written.packages['node_modules/onnxruntime-node'].integrity).toBe(ORT.integrity);
    expect(cache.calls.filter((c) => c.startsWith('save:'))).toHaveLength(1);
    // The CLI runs from a copy beside that node_modules, so ESM resolution finds the package.
    expect(runtime.cliEntry.startsWith(join(toolCache, 'invarlock-runtime'))).toBe(true);
    expect(existsSync(runtime.cliEntry)).toBe(true);
    expect(runtime.nodeModules).toBe(join(call?.cwd ?? '', 'node_modules'));
  });

  it('reuses a verified tool-cache install without npm', async () => {
    const { actionRoot, toolCache } = setup();
    const calls: RunProcessOptions[] = [];
    await ensureHostRuntime({ actionRoot, toolCache, cache: null, run: fakeNpm(calls), env: {}, onEvent: () => undefined });
    const again = await ensureHostRuntime({ actionRoot, toolCache, cache: null, run: fakeNpm(calls), env: {}, onEvent: () => undefined });
    expect(again.source).toBe('tool-cache');
    expect(calls).toHaveLength(1);
  });

  it('restores from the Actions cache on a fresh runner', async () => {
    const first = setup();
    const cache = memoryCache();
    await ensureHostRuntime({ actionRoot: first.actionRoot, toolCache: first.toolCache, cache, run: fakeNpm([]), env: {}, onEvent: () => undefined });
    const calls: RunProcessOptions[] = [];
    const runtime = await ensureHostRuntime({ actionRoot: first.actionRoot, toolCache: join(first.dir, 'other-tool-cache'), cache, run: fakeNpm(calls), env: {}, onEvent: () => undefined });
    expect(runtime.source).toBe('actions-cache');
    expect(calls).toHaveLength(0);
    expect(cache.calls.filter((c) => c.startsWith('restore:'))).toHaveLength(2);
  });

  it('treats cache errors as a miss with a notice', async () => {
    const { actionRoot, toolCache } = setup();
    const events: ActionEvent[] = [];
    const runtime = await ensureHostRuntime({ actionRoot, toolCache, cache: memoryCache({ failRestore: true, failSave: true }), run: fakeNpm([]), env: {}, onEvent: (e) => events.push(e) });
    expect(runtime.source).toBe('npm');
    expect(events.filter((e) => e.type === 'notice').map((e) => (e.type === 'notice' ? e.id : ''))).toEqual(['host-runtime-cache', 'host-runtime-cache']);
  });

  it('fails with E_HOST_RUNTIME when npm fails, is missing, or installs something else', async () => {
    for (const behaviour of ['fail', 'missing', 'wrong-integrity'] as const) {
      const { actionRoot, toolCache } = setup();
      await expect(ensureHostRuntime({ actionRoot, toolCache, cache: null, run: fakeNpm([], behaviour), env: {}, onEvent: () => undefined }), behaviour).rejects.toMatchObject({ code: 'E_HOST_RUNTIME' });
    }
  });
});
