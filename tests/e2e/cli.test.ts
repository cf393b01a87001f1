/**
 * The CLI end to end: in-process through `runCli` (certify → verify → report, exit codes, doctor,
 * plugins, explain) and through the built bundle `node dist/cli/index.js` (`npm run bundle`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { TOOL_VERSION } from '../../src/core/index.js';
import { probeCudaProviderLibraries } from '../../src/eval/index.js';
import { serializeCertificate, type Certificate } from '../../src/report/index.js';
import { GPT2, REPO_ROOT, cliIo, copySideFiles, listFiles, removeDir, smallCertifyFlags, tempDir } from '../core/runner/runner-fixtures.js';

const RUN_TIMEOUT = 180_000;
const BUNDLE = join(REPO_ROOT, 'dist/cli/index.js');

async function cli(argv: readonly string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = cliIo(cwd === undefined ? {} : { cwd });
  const code = await runCli(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** `node dist/cli/index.js ARGS` with an args array (no shell); resolves with the exit code. */
function bundle(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BUNDLE, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

interface CertifyJson {
  readonly subjects: readonly { readonly label: string; readonly verdict: string; readonly ratio: number | null; readonly files: Readonly<Record<string, string>> }[];
  readonly baseline_eval: string;
  readonly baseline_eval_key: string;
}

interface VerifyJson {
  readonly path: string;
  readonly exitCode: number;
  readonly verdict?: string;
  readonly checks: readonly { readonly id: string; readonly status: string; readonly path?: string; readonly expected?: string; readonly actual?: string }[];
}

describe('CLI in-process: certify → verify → report', () => {
  const tmp = tempDir('e2e-cli');
  const out = join(tmp, 'pass');
  let certified: { code: number; stdout: string; stderr: string };
  let certPath: string;

  beforeAll(async () => {
    certified = await cli(['certify', '--baseline', GPT2, '--edit', 'quant_rtn', '--edit-config', '{"bits":8,"scope":"all"}', ...smallCertifyFlags(), '--out', out, '--json']);
    certPath = join(out, 'evaluation.cert.json');
  }, RUN_TIMEOUT);
  afterAll(() => removeDir(tmp));

  it('certify --json exits 0 and prints one JSON summary naming the files it wrote', () => {
    expect(certified.code, certified.stderr).toBe(0);
    const summary = JSON.parse(certified.stdout) as CertifyJson;
    expect(Object.keys(summary).sort()).toEqual(['baseline_eval', 'baseline_eval_key', 'subjects']);
    expect(summary.subjects).toHaveLength(1);
    const [subject] = summary.subjects;
    expect(subject).toMatchObject({ verdict: 'pass', files: { json: certPath, markdown: join(out, 'report.md'), html: join(out, 'report.html') } });
    expect(Math.abs(subject!.ratio! - 1)).toBeLessThan(0.01);
    expect(summary.baseline_eval).toBe(join(out, 'baseline-eval.json'));
    expect(summary.baseline_eval_key).toMatch(/^[0-9a-f]{64}$/);
    expect(listFiles(out)).toEqual(['baseline-eval.json', 'evaluation.cert.json', 'report.html', 'report.md']);
    // --json keeps progress off stderr
    expect(certified.stderr).not.toContain('▸');
  });

  it('verify exits 0 on the certificate, every check passing', async () => {
    const text = await cli(['verify', certPath]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('consistent');
    const json = await cli(['verify', certPath, '--json']);
    expect(json.code).toBe(0);
    const [report] = JSON.parse(json.stdout) as VerifyJson[];
    expect(report).toMatchObject({ path: certPath, exitCode: 0, verdict: 'pass' });
    expect(report!.checks.map((c) => c.id)).toEqual(['parse', 'schema', 'certificate_digest', 'policy_digest', 'policy', 'pairing', 'statistics', 'gates', 'verdict']);
    expect(report!.checks.every((c) => c.status === 'pass')).toBe(true);
    expect((await cli(['verify', certPath, '--require-pass'])).code).toBe(0);
  });

  it('report renders markdown, HTML and canonical JSON (the same bytes as the certificate file)', async () => {
    const cert = JSON.parse(readFileSync(certPath, 'utf8')) as Certificate;
    const md = await cli(['report', certPath, '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout.split('\n').find((l) => l.trim() !== '')).toMatch(/PASS/);
    expect(md.stdout).toContain('1.10');
    const html = await cli(['report', certPath, '--format', 'html']);
    expect(html.code).toBe(0);
    expect(html.stdout.trimStart().toLowerCase()).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain('</html>');
    const json = await cli(['report', certPath, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(readFileSync(certPath, 'utf8'));
    expect(json.stdout).toBe(serializeCertificate(cert));
    const target = join(tmp, 'again.md');
    const written = await cli(['report', certPath, '--out', target]);
    expect(written.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(md.stdout);
  });

  it('explain-gates --json lists the gates of the certificate', async () => {
    const result = await cli(['explain-gates', certPath, '--json']);
    expect(result.code).toBe(0);
    const gates = JSON.parse(result.stdout) as unknown[];
    expect(Array.isArray(gates)).toBe(true);
    expect(gates.length).toBeGreaterThan(0);
  });

  it('verify of a tampered certificate exits 1 naming the failing checks and the field', async () => {
    const cert = JSON.parse(readFileSync(certPath, 'utf8')) as { primary_metric: { ratio: number } };
    cert.primary_metric.ratio = 1.05;
    const tampered = join(tmp, 'tampered.cert.json');
    writeFileSync(tampered, JSON.stringify(cert));
    const text = await cli(['verify', tampered]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('inconsistent');
    expect(text.stdout).toMatch(/FAIL certificate_digest/);
    const json = await cli(['verify', tampered, '--json']);
    expect(json.code).toBe(1);
    const [report] = JSON.parse(json.stdout) as VerifyJson[];
    const failed = report!.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['certificate_digest', 'statistics']);
    expect(failed[1]).toMatchObject({ path: 'primary_metric.ratio', actual: '1.05' });
  });

  it('verify of a file that is not JSON exits 2 (malformed)', async () => {
    const junk = join(tmp, 'junk.json');
    writeFileSync(junk, 'not json');
    expect((await cli(['verify', junk])).code).toBe(2);
  });
});

describe('CLI in-process: exit codes', () => {
  const tmp = tempDir('e2e-exit');
  afterAll(() => removeDir(tmp));

  it(
    'certify exits 1 when a gate fails (2-bit RTN on every layer), and verify --require-pass exits 1 on it',
    async () => {
      const out = join(tmp, 'int2');
      const result = await cli(['certify', '--baseline', GPT2, '--edit', 'quant_rtn', '--edit-config', '{"bits":2,"scope":"all"}', ...smallCertifyFlags(), '--out', out, '--quiet']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toMatch(/FAIL/);
      const cert = join(out, 'evaluation.cert.json');
      expect(existsSync(cert)).toBe(true);
      // a consistent certificate of a failed run: plain verify passes, --require-pass gates on the verdict
      expect((await cli(['verify', cert])).code).toBe(0);
      expect((await cli(['verify', cert, '--require-pass'])).code).toBe(1);
    },
    RUN_TIMEOUT,
  );

  it('an unknown flag is a usage error: exit 2', async () => {
    const result = await cli(['certify', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });

  it('an unknown command is a usage error: exit 2', async () => {
    expect((await cli(['certifyy'])).code).toBe(2);
  });

  it('a malformed number flag is E_USAGE: exit 2 with the code printed', async () => {
    const result = await cli(['certify', '--baseline', GPT2, '--edit', 'noop', '--seq-len', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_USAGE');
    expect(result.stderr).toContain('seq-len');
  });

  it('--edit-config without --edit is E_USAGE: exit 2', async () => {
    const result = await cli(['certify', '--baseline', GPT2, '--subject', GPT2, '--edit-config', '{"bits":8}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_USAGE');
  });

  it('a missing model is exit 2 with E_FILE_NOT_FOUND and the path printed', async () => {
    const missing = join(tmp, 'no-such-model');
    const result = await cli(['certify', '--baseline', missing, '--edit', 'noop', ...smallCertifyFlags(), '--out', join(tmp, 'never')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_FILE_NOT_FOUND');
    expect(result.stderr).toContain(`file=${missing}`);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('a config with neither subject nor edit is E_CONFIG_INVALID: exit 2', async () => {
    const result = await cli(['certify', '--baseline', GPT2]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_CONFIG_INVALID');
  });
});

describe('CLI in-process: doctor, plugins, explain', () => {
  const tmp = tempDir('e2e-doctor');
  afterAll(() => removeDir(tmp));

  it('doctor --json on a broken setup exits 1 with the findings schema', async () => {
    // a model directory with config and tokenizer but no model.onnx
    const broken = join(tmp, 'no-onnx');
    mkdirSync(broken);
    copySideFiles(GPT2, broken);
    const result = await cli(['doctor', '--baseline', broken, '--device', 'cuda', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      format_version: number;
      summary: { errors: number; warnings: number; notes: number };
      findings: { code: string; severity: string; message: string; field: string | null; hint: string | null }[];
      exit_code: number;
    };
    expect(Object.keys(report).sort()).toEqual(['checked', 'exit_code', 'findings', 'format_version', 'summary']);
    expect(report.format_version).toBe(1);
    expect(report.exit_code).toBe(1);
    for (const f of report.findings) {
      expect(Object.keys(f).sort()).toEqual(['code', 'field', 'hint', 'message', 'severity']);
      expect(f.code).toMatch(/^D_[A-Z_]+$/);
      expect(['error', 'warning', 'note']).toContain(f.severity);
    }
    const count = (severity: string) => report.findings.filter((f) => f.severity === severity).length;
    expect(report.summary).toEqual({ errors: count('error'), warnings: count('warning'), notes: count('note') });
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'D_MODEL_UNRESOLVED', severity: 'error', field: 'baseline' }));
    const cuda = probeCudaProviderLibraries();
    const cudaFinding = report.findings.find((f) => f.code === 'D_CUDA_UNAVAILABLE');
    if (!cuda.present) {
      // the message says which provider library is missing
      expect(cudaFinding).toMatchObject({ severity: 'error', field: 'device' });
      expect(cudaFinding!.message).toContain(cuda.missing[0]!);
    } else {
      expect(report.findings.some((f) => f.code === 'D_CUDA_ABSENT')).toBe(false);
    }
  });

  it('doctor --dataset --profile checks what certify would use and lists what it checked', async () => {
    const text = join(REPO_ROOT, 'tests/fixtures/data/wikitext-2/valid-200k.txt');
    const result = await cli(['doctor', '--baseline', GPT2, '--device', 'cpu', '--profile', 'dev', '--dataset', `text:${text}`, '--seq-len', '64', '--json']);
    const report = JSON.parse(result.stdout) as { findings: { code: string }[]; checked: string[]; exit_code: number };
    expect(report.findings.map((f) => f.code).filter((c) => c.startsWith('D_DATASET') || c === 'D_MODEL_UNRESOLVED' || c === 'D_CONFIG_INVALID')).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.checked).toContainEqual(expect.stringMatching(/^baseline: .*gpt2-tiny.*model\.onnx/));
    expect(report.checked).toContainEqual(expect.stringMatching(/^policy: profile dev, tier balanced \(32 \+ 32 windows planned/));
    expect(report.checked).toContainEqual(expect.stringMatching(new RegExp(`^dataset text:.*valid-200k\\.txt.*for 64 windows of 64$`)));
    // Too little text for the profile's windows is an error that names the numbers.
    const small = await cli(['doctor', '--profile', 'ci', '--dataset', 'text:README.md', '--json'], REPO_ROOT);
    const smallReport = JSON.parse(small.stdout) as { findings: { code: string; message: string }[] };
    expect(small.code).toBe(1);
    expect(smallReport.findings).toContainEqual(expect.objectContaining({ code: 'D_DATASET_SMALL', message: expect.stringContaining('400 windows of 128') }));
  });

  it('doctor on the fixture model with CPU finds no model error', async () => {
    const result = await cli(['doctor', '--baseline', GPT2, '--device', 'cpu', '--json']);
    const report = JSON.parse(result.stdout) as { findings: { code: string }[] };
    expect(report.findings.map((f) => f.code)).not.toContain('D_MODEL_UNRESOLVED');
    expect(report.findings.map((f) => f.code)).not.toContain('D_CUDA_UNAVAILABLE');
  });

  it('plugins adapters --json lists the four adapters with their readiness', async () => {
    const result = await cli(['plugins', 'adapters', '--json']);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { kind: string; name: string; status: string; missing: string[]; summary: string; families: unknown }[];
    expect(list.map((p) => p.name).sort()).toEqual(['onnx_causal', 'onnx_cls', 'onnx_mlm', 'onnx_seq2seq']);
    for (const p of list) expect(Object.keys(p).sort()).toEqual(['families', 'kind', 'missing', 'name', 'status', 'summary']);
    const families = list[0]!.families as { model_type: string; interface: string }[];
    expect(families.filter((f) => f.interface === 'bundled').map((f) => f.model_type)).toContain('gpt2');
    expect(families.at(-1)).toEqual({ model_type: '*', interface: 'inferred' });
    expect(list.find((p) => p.name === 'onnx_causal')).toMatchObject({ kind: 'adapter', status: 'ready', missing: [] });
    expect(list.find((p) => p.name === 'onnx_mlm')).toMatchObject({ status: 'ready' });
    // seq2seq models are scored (teacher-forced perplexity): nothing is missing
    expect(list.find((p) => p.name === 'onnx_seq2seq')).toMatchObject({ status: 'ready', missing: [] });
    expect(list.find((p) => p.name === 'onnx_cls')).toMatchObject({ status: 'ready', missing: [] });
  });

  it('plugins adapters --json --interface lists a user family beside the bundled and inferred ones', async () => {
    const file = join(tmp, 'lfm2-interface.json');
    writeFileSync(file, JSON.stringify({ model_type: 'lfm2', model_embeddings: 'model.embed_tokens', model_layers: 'model.layers', layer_self_attn: 'self_attn', attn_q_proj: 'q_proj' }));
    const result = await cli(['plugins', 'adapters', '--json', '--interface', file]);
    expect(result.code).toBe(0);
    const families = (JSON.parse(result.stdout) as { families: { model_type: string; interface: string }[] }[])[0]!.families;
    expect(families.slice(-2)).toEqual([
      { model_type: 'lfm2', interface: 'user' },
      { model_type: '*', interface: 'inferred' },
    ]);
  });

  it('plugins with an unknown kind is E_USAGE: exit 2', async () => {
    const result = await cli(['plugins', 'widgets']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_USAGE');
  });

  it('explain E_MODEL_PARSE prints the code, its exit code and summary', async () => {
    const result = await cli(['explain', 'E_MODEL_PARSE']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^E_MODEL_PARSE \(exit 2\): .*ONNX/);
    expect(result.stdout).toContain('exit 2: the input or usage is wrong');
    const finding = await cli(['explain', 'D_DATASET_SMALL']);
    expect(finding.code).toBe(0);
    expect(finding.stdout).toMatch(/^D_DATASET_SMALL \(doctor finding, error\): /);
    const unknown = await cli(['explain', 'E_NOPE']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('E_USAGE');
  });

  it('--version prints the tool version', async () => {
    const result = await cli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(TOOL_VERSION);
  });
});

describe('the built bundle: node dist/cli/index.js', () => {
  const tmp = tempDir('e2e-bundle');
  afterAll(() => removeDir(tmp));

  it('exists (build it with npm run bundle)', () => {
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run bundle`).toBe(true);
  });

  it(
    'certifies an 8-bit edit (exit 0), and its certificate verifies (exit 0)',
    async () => {
      const out = join(tmp, 'pass');
      const certified = await bundle(['certify', '--baseline', GPT2, '--edit', 'quant_rtn', '--edit-config', '{"bits":8}', ...smallCertifyFlags(), '--out', out, '--json']);
      expect(certified.code, certified.stderr).toBe(0);
      const summary = JSON.parse(certified.stdout) as CertifyJson;
      expect(summary.subjects[0]).toMatchObject({ verdict: 'pass', files: { json: join(out, 'evaluation.cert.json') } });
      const verified = await bundle(['verify', join(out, 'evaluation.cert.json'), '--json']);
      expect(verified.code, verified.stdout).toBe(0);
      const [report] = JSON.parse(verified.stdout) as VerifyJson[];
      expect(report!.checks.every((c) => c.status === 'pass')).toBe(true);
    },
    RUN_TIMEOUT,
  );

  it('exits 2 on a missing model with the code printed, and on an unknown flag', async () => {
    const missing = await bundle(['certify', '--baseline', join(tmp, 'absent'), '--edit', 'noop']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('E_FILE_NOT_FOUND');
    const usage = await bundle(['verify', '--no-such-flag']);
    expect(usage.code).toBe(2);
  });

  it('prints the version and explains an error code', async () => {
    expect((await bundle(['--version'])).stdout.trim()).toBe(TOOL_VERSION);
    const explained = await bundle(['explain', 'E_MODEL_PARSE']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/^E_MODEL_PARSE \(exit 2\)/);
  });
});
