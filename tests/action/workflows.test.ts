import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

interface Step { uses?: string; run?: string; with?: Record<string, string>; id?: string; if?: string; env?: Record<string, string> }
interface Job { steps: Step[]; permissions?: Record<string, string>; 'runs-on': unknown; strategy?: { matrix: Record<string, unknown> } }
interface Workflow { on: unknown; permissions?: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> }

function workflow(name: string): Workflow {
  return parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
}

function steps(w: Workflow): Step[] {
  return Object.values(w.jobs).flatMap((j) => j.steps);
}

describe('workflows', () => {
  it('ci installs without the CUDA download, lints, typechecks, tests and checks dist/', () => {
    const ci = workflow('ci.yml');
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(ci.env?.['ONNXRUNTIME_NODE_INSTALL']).toBe('skip');
    const runs = steps(ci).map((s) => s.run ?? '').join('\n');
    for (const command of ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test', 'npm run bundle', 'git diff --exit-code']) expect(runs).toContain(command);
    expect(runs).toContain('dist/action/index.js');
  });

  it('.npmrc skips dependency install scripts (the CUDA download) with a key npm knows, so npm prints no warning', () => {
    const npmrc = readFileSync(join(REPO_ROOT, '.npmrc'), 'utf8');
    const keys = npmrc.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split('=')[0]!.trim());
    expect(keys).toEqual(['ignore-scripts']);
    const run = spawnSync('npm', ['config', 'get', 'ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: undefined } });
    expect(run.stdout.trim()).toBe('true');
    expect(run.stderr).not.toMatch(/Unknown (project|user) config/);
  });

  it('the self-test runs this Action in host mode on the bundled tiny model with quant_rtn', () => {
    const selftest = workflow('action-selftest.yml');
    const step = steps(selftest).find((s) => s.uses === './');
    expect(step?.with).toMatchObject({ 'execution-mode': 'host', baseline: 'tests/fixtures/models/gpt2-tiny', edit: 'quant_rtn' });
    expect(existsSync(join(REPO_ROOT, 'tests', 'fixtures', 'models', 'gpt2-tiny', 'model.onnx'))).toBe(true);
    // No `npm ci` before it: the Action must provide onnxruntime-node itself.
    expect(steps(selftest).some((s) => (s.run ?? '').includes('npm ci'))).toBe(false);
    expect(selftest.permissions).toMatchObject({ checks: 'write', 'pull-requests': 'write', contents: 'read' });
  });

  it('runtime-images builds both images with provenance and an SBOM and prints the digest', () => {
    const images = workflow('runtime-images.yml');
    const build = images.jobs['build'];
    expect(build?.strategy?.matrix['flavor']).toEqual(['cpu', 'cuda']);
    const push = build?.steps.find((s) => s.uses?.startsWith('docker/build-push-action') === true);
    expect(push?.with?.['provenance']).toContain('mode=max');
    expect(push?.with?.['sbom']).toBeDefined();
    expect(push?.with?.['build-args']).toContain('NODE_IMAGE=');
    expect(push?.with?.['build-args']).toContain('CUDA_IMAGE=');
    expect(build?.steps.some((s) => (s.run ?? '').includes('steps.build.outputs.digest'))).toBe(true);
    expect(build?.permissions).toMatchObject({ packages: 'write' });
  });

  it('never checks out PR code in a pull_request_target workflow', () => {
    for (const name of ['ci.yml', 'action-selftest.yml', 'runtime-images.yml']) {
      expect(JSON.stringify(workflow(name).on)).not.toContain('pull_request_target');
    }
  });
});
