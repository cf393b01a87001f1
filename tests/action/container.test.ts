import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContainerLauncher } from '../../src/action/launch/container-launcher.js';
import { createDockerClient } from '../../src/action/launch/docker-client.js';
import { parseImageRef } from '../../src/action/inputs/image-ref.js';
import { compareVersions, parseNvidiaSmi, runPreflight } from '../../src/action/launch/preflight.js';
import { runProcess } from '../../src/action/launch/spawn-process.js';
import type { ActionEvent } from '../../src/action/types.js';
import { FAKE_CLI, fixtureCert, inspectRecord, installDockerShim, removeDirs, tempDir, type DockerShim } from './helpers.js';

const REPO = 'ghcr.io/invarlock/invarlock-cuda';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const PINNED = `${REPO}@${DIGEST}`;
const LABELS = { 'dev.invarlock.cuda.version': '13.0', 'dev.invarlock.cuda.min-driver': '580.65.06' };
const dirs: string[] = [];
afterEach(() => removeDirs(dirs));

function setup(state: Partial<Parameters<typeof installDockerShim>[1]> = {}): { dir: string; shim: DockerShim; env: Record<string, string> } {
  const dir = tempDir();
  dirs.push(dir);
  const shim = installDockerShim(dir, { images: { [PINNED]: inspectRecord(REPO, DIGEST, LABELS) }, gpu: 'NVIDIA H100 80GB HBM3, 580.82.07, 81559\n', cli: FAKE_CLI, cliEnv: { FAKE_CLI_CERT: fixtureCert('pass') }, ...state });
  // The runner's environment, with things that must never reach docker or the container.
  const env = { ...shim.env, GITHUB_TOKEN: 'ghs_x', 'INPUT_GITHUB-TOKEN': 'ghs_x', ACTIONS_RUNTIME_TOKEN: 'rt', HF_TOKEN: 'hf_secret', SECRET_THING: 'x' };
  return { dir, shim, env };
}

function preflightWith(env: Record<string, string>, image = PINNED, gpus: string | null = 'all') {
  const events: ActionEvent[] = [];
  const ref = parseImageRef(image);
  if (ref === null) throw new Error('bad ref');
  return runPreflight({ docker: createDockerClient({ run: runProcess, env }), image: ref, gpus, jobKey: '0123456789ab', runId: '7', runAttempt: '1', user: { uid: 1001, gid: 118 }, onEvent: (e) => events.push(e) });
}

describe('preflight', () => {
  it('passes with docker up, the image present and a new enough driver', async () => {
    const { shim, env } = setup();
    const result = await preflightWith(env);
    expect(result).toMatchObject({ ok: true, image: { ref: PINNED, digest: DIGEST }, gpus: [{ name: 'NVIDIA H100 80GB HBM3', driver: '580.82.07', memoryMiB: 81559 }] });
    const smi = shim.calls().find((c) => c.argv.includes('nvidia-smi'));
    expect(smi?.argv).toEqual(expect.arrayContaining(['--gpus', 'all', '--network', 'none', '--entrypoint', 'nvidia-smi', PINNED]));
  });

  it('pulls a missing image by digest', async () => {
    const { shim, env } = setup({ images: {}, pullable: { [PINNED]: inspectRecord(REPO, DIGEST, LABELS) } });
    expect((await preflightWith(env)).ok).toBe(true);
    expect(shim.calls().some((c) => c.argv[0] === 'pull' && c.argv.includes(PINNED))).toBe(true);
  });

  it('resolves an allowed tag to the digest it points to and runs that digest', async () => {
    const { env } = setup({ images: { [`${REPO}:13.0`]: inspectRecord(REPO, DIGEST, LABELS) } });
    const result = await preflightWith(env, `${REPO}:13.0`);
    expect(result).toMatchObject({ ok: true, image: { ref: PINNED, digest: DIGEST } });
  });

  it('ends in E_DOCKER when the daemon is down or the image cannot be pulled', async () => {
    const down = await preflightWith(setup({ daemonDown: true }).env);
    expect(down).toMatchObject({ ok: false, error: { code: 'E_DOCKER' } });
    const missing = await preflightWith(setup({ images: {} }).env);
    expect(missing).toMatchObject({ ok: false, error: { code: 'E_DOCKER', details: { image: PINNED } } });
  });

  it('ends in E_GPU_UNAVAILABLE without a GPU or with a driver older than the image label', async () => {
    expect(await preflightWith(setup({ gpu: null }).env)).toMatchObject({ ok: false, error: { code: 'E_GPU_UNAVAILABLE' } });
    const old = await preflightWith(setup({ gpu: 'Tesla T4, 535.104.05, 15360\n' }).env);
    expect(old).toMatchObject({ ok: false, error: { code: 'E_GPU_UNAVAILABLE', details: { expected: '>= 580.65.06', actual: '535.104.05' } } });
  });

  it('skips the GPU probe for CPU runs', async () => {
    const { shim, env } = setup({ gpu: null });
    expect((await preflightWith(env, PINNED, null)).ok).toBe(true);
    expect(shim.calls().some((c) => c.argv.includes('nvidia-smi'))).toBe(false);
  });

  it('compares driver versions numerically and parses nvidia-smi lines', () => {
    expect(compareVersions('580.65.06', '580.9')).toBe(1);
    expect(compareVersions('535.1', '580.65.06')).toBe(-1);
    expect(parseNvidiaSmi('A100, 550.54.15, 40960\nB, x, 1\n')).toEqual([{ name: 'A100', driver: '550.54.15', memoryMiB: 40960 }]);
  });
});

describe('container launcher', () => {
  function launcherFor(dir: string, runnerEnv: Record<string, string>) {
    let env = runnerEnv;
    const workspace = join(dir, 'ws');
    mkdirSync(workspace, { recursive: true });
    env = { ...env, EXTRA_NAME: 'extra-value' };
    return {
      workspace,
      launcher: createContainerLauncher({
        docker: createDockerClient({ run: runProcess, env }),
        image: { ref: PINNED, digest: DIGEST, labels: LABELS },
        workspace,
        workDir: join(dir, 'work'),
        jobKey: '0123456789ab',
        runId: '7',
        runAttempt: '1',
        user: { uid: 1001, gid: 118 },
        gpus: 'all',
        shmSize: '2g',
        extra: { args: ['--ipc', 'host', '-e', 'EXTRA_NAME'], passEnv: ['EXTRA_NAME'], network: null },
        env,
      }),
    };
  }

  it('runs certify with GPUs, no network, read-only inputs, a writable output and an env allow-list', async () => {
    const { dir, shim, env } = setup();
    const { workspace, launcher } = launcherFor(dir, env);
    const models = join(dir, 'models', 'gpt2');
    mkdirSync(models, { recursive: true });
    const out = join(workspace, 'invarlock-out');
    mkdirSync(out, { recursive: true });
    const lines: string[] = [];
    const result = await launcher.run(
      { command: 'certify', plan: { baseline: models, subjects: [{ model: 'models/int8' }], allow_network: true }, baselineEvalDir: join(dir, 'be'), cacheDir: join(dir, 'hf'), outputDir: out },
      { timeoutMs: 60_000, onLine: (l) => lines.push(l) },
    );
    expect(result).toMatchObject({ kind: 'exited', exitCode: 0 });
    expect(lines).toContain('progress 50%');
    const run = shim.calls().find((c) => c.argv[0] === 'run');
    if (run === undefined) throw new Error('no docker run');
    const argv = run.argv;
    const values = (flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
    expect(values('--network')).toEqual(['none']);
    expect(values('--gpus')).toEqual(['all']);
    expect(values('--user')).toEqual(['1001:118']);
    expect(values('--name')).toEqual(['invarlock-0123456789ab-certify']);
    expect(values('--mount')).toEqual([
      `type=bind,source=${workspace},target=${workspace},readonly`,
      `type=bind,source=${models},target=${models},readonly`,
      `type=bind,source=${join(dir, 'hf')},target=/cache,readonly`,
      `type=bind,source=${join(dir, 'be')},target=/io/baseline,readonly`,
      `type=bind,source=${join(dir, 'work', 'certify.plan.json')},target=/io/plan.json,readonly`,
      `type=bind,source=${out},target=/io/out`,
    ]);
    const envArgs = values('--env');
    expect(envArgs).toEqual(expect.arrayContaining(['HOME=/tmp', 'HF_HOME=/cache', 'HF_HUB_OFFLINE=1', 'NVIDIA_DRIVER_CAPABILITIES=compute,utility', 'EXTRA_NAME']));
    expect(envArgs.join(' ')).not.toMatch(/TOKEN|SECRET/);
    expect(argv.slice(-9)).toEqual([PINNED, 'certify', '--config', '/io/plan.json', '--out', '/io/out', '--events', 'stderr', '--json']);
    // The docker client itself got only the allow-listed environment.
    expect(run.envKeys).not.toContain('GITHUB_TOKEN');
    expect(run.envKeys).not.toContain('HF_TOKEN');
    expect(run.envKeys).not.toContain('INPUT_GITHUB-TOKEN');
    expect(run.envKeys).toContain('EXTRA_NAME');
    // The plan the container read: container paths, no network, the image digest recorded.
    const record = JSON.parse(readFileSync(join(out, 'fake-cli.certify.json'), 'utf8'));
    expect(record.plan).toMatchObject({ output_dir: '/io/out', cache_dir: '/cache', baseline_eval: '/io/baseline/baseline-eval.json', allow_network: false, runtime_image_digest: DIGEST, baseline: models });
    expect(record.cwd).toBe(workspace);
    expect(readFileSync(join(out, 'evaluation.cert.json'), 'utf8')).toBe(readFileSync(fixtureCert('pass'), 'utf8'));
  });

  it('prefetches on the bridge network without GPUs, with the cache writable and download credentials by name', async () => {
    const { dir, shim, env } = setup();
    const { launcher } = launcherFor(dir, env);
    const cache = join(dir, 'hf');
    mkdirSync(cache, { recursive: true });
    const result = await launcher.run({ command: 'prefetch', plan: { baseline: 'hf:org/gpt2@main', allow_network: true }, cacheDir: cache }, { timeoutMs: 60_000, onLine: () => undefined });
    expect(result).toMatchObject({ kind: 'exited', exitCode: 0 });
    const argv = shim.calls().find((c) => c.argv[0] === 'run')?.argv ?? [];
    const values = (flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
    expect(values('--network')).toEqual(['bridge']);
    expect(argv).not.toContain('--gpus');
    expect(values('--mount')).toContain(`type=bind,source=${cache},target=/cache`);
    expect(values('--env')).toContain('HF_TOKEN');
    expect(values('--env')).not.toContain('HF_HUB_OFFLINE=1');
    expect(argv.join(' ')).not.toContain('hf_secret');
    expect(shim.calls().find((c) => c.argv[0] === 'run')?.envKeys).toContain('HF_TOKEN');
  });

  it('refuses to mount a system directory named by the plan', async () => {
    const { dir, env } = setup();
    const { launcher } = launcherFor(dir, env);
    await expect(
      launcher.run({ command: 'certify', plan: { baseline: '/etc/models', edit: { name: 'noop' } }, baselineEvalDir: null, cacheDir: null, outputDir: join(dir, 'out') }, { timeoutMs: 60_000, onLine: () => undefined }),
    ).rejects.toMatchObject({ code: 'E_ACTION_INPUT', details: { field: 'baseline' } });
  });

  it('kills the container by name when the timeout fires', async () => {
    const { dir, shim, env } = setup({ cliEnv: { FAKE_CLI_MODE: 'hang', FAKE_CLI_CERT: fixtureCert('pass') } });
    const { launcher, workspace } = launcherFor(dir, env);
    const out = join(workspace, 'o');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, '.keep'), '');
    const result = await launcher.run({ command: 'certify', plan: { baseline: 'm', edit: { name: 'noop' } }, baselineEvalDir: null, cacheDir: null, outputDir: out }, { timeoutMs: 800, onLine: () => undefined });
    expect(result.kind).toBe('timed-out');
    expect(shim.calls().some((c) => c.argv[0] === 'kill' && c.argv[1] === 'invarlock-0123456789ab-certify')).toBe(true);
  });

  it('removes this job\'s containers by label', async () => {
    const { shim, env } = setup({ containers: [{ id: 'aaaaaa111111', labels: { 'dev.invarlock.job': '0123456789ab' } }, { id: 'bbbbbb222222', labels: { 'dev.invarlock.job': 'other' } }] });
    const removed = await createDockerClient({ run: runProcess, env }).removeJobContainers('0123456789ab');
    expect(removed).toBe(1);
    expect(shim.state().removed).toEqual(['aaaaaa111111']);
  });
});
