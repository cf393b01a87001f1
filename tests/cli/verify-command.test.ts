/**
 * `invarlock verify` on untrusted input (issue 13, item 5): every rejection names its E_CERT_*
 * code, a bad file never stops the files after it, nothing prints a stack trace, and `--policy`
 * names the policy the caller accepts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { certificateDigest, policyDigest, type Certificate } from '../../src/report/index.js';
import { cliIo } from '../core/runner/runner-fixtures.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/certificates');
const dir = mkdtempSync(join(tmpdir(), 'invarlock-verify-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixtureText = (name: string): string => readFileSync(join(FIXTURES, `${name}.cert.json`), 'utf8');

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function verify(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = cliIo({ cwd: dir });
  const code = await runCli(['verify', ...argv], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

function resealed(mutate: (cert: Certificate & Record<string, unknown>) => void): string {
  const cert = JSON.parse(fixtureText('dev')) as Certificate & Record<string, unknown>;
  mutate(cert);
  (cert as { policy_digest: string }).policy_digest = policyDigest(cert.policy);
  (cert as { digest: string }).digest = certificateDigest(cert);
  return JSON.stringify(cert);
}

describe('invarlock verify on untrusted input', () => {
  it('goes on past every bad file, naming each rejection by code, with no stack trace', async () => {
    const files = [
      write('huge.json', resealed((c) => ((c.policy.thresholds.bootstrap as { replicates: number }).replicates = 1e308))),
      write('dup.json', `{"verdict":{"status":"pass"},${fixtureText('fail').slice(1)}`),
      write('junk.json', '{"schema_version": 1'),
      'missing.json',
      write('good.json', fixtureText('pass')),
    ];
    const text = await verify(files);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/huge\.json: ✘ malformed[\s\S]*FAIL schema E_CERT_SCHEMA/);
    expect(text.stdout).toMatch(/dup\.json: ✘ malformed[\s\S]*FAIL parse E_CERT_DUPLICATE_KEY/);
    expect(text.stdout).toMatch(/junk\.json: ✘ malformed[\s\S]*FAIL parse E_CERT_PARSE/);
    expect(text.stdout).toMatch(/missing\.json: ✘ malformed[\s\S]*FAIL parse E_FILE_NOT_FOUND/);
    expect(text.stdout).toContain('good.json: ✔ consistent (verdict pass)');
    expect(`${text.stdout}${text.stderr}`).not.toMatch(/\n\s+at /);

    const json = JSON.parse((await verify([...files, '--json'])).stdout) as { path: string; exitCode: number; checks: { status: string; code?: string }[] }[];
    expect(json.map((r) => [r.path, r.exitCode, r.checks.find((c) => c.status === 'fail')?.code])).toEqual([
      ['huge.json', 2, 'E_CERT_SCHEMA'],
      ['dup.json', 2, 'E_CERT_DUPLICATE_KEY'],
      ['junk.json', 2, 'E_CERT_PARSE'],
      ['missing.json', 2, 'E_FILE_NOT_FOUND'],
      ['good.json', 0, undefined],
    ]);
  });

  it('accepts a policy other than the bundled one only when the caller passes it with --policy', async () => {
    const loose = resealed((c) => ((c.policy.thresholds.tail as { p95_limit: number }).p95_limit = 0.5));
    const cert = write('loose.json', loose);
    const refused = await verify([cert]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('FAIL policy E_CERT_POLICY');
    // the tail limit is recorded in the tail block too: the caller's policy makes that a re-derivation mismatch, never a pass
    const policyFile = write('policy.json', JSON.stringify((JSON.parse(loose) as Certificate).policy));
    const judged = await verify([cert, '--policy', policyFile, '--json']);
    const [report] = JSON.parse(judged.stdout) as { checks: { id: string; status: string; path?: string }[] }[];
    expect(report?.checks.find((c) => c.id === 'policy')?.status).toBe('pass');
    expect(report?.checks.find((c) => c.id === 'gates')).toMatchObject({ status: 'fail', path: 'tail.limit' });
  });

  it('refuses a policy file that is not a policy (E_CONFIG_INVALID, exit 2)', async () => {
    const bad = await verify([write('ok.json', fixtureText('pass')), '--policy', write('bad-policy.json', '{"tier": "balanced"}')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_CONFIG_INVALID');
  });

  it('--require-pass on a consistent failing certificate says consistent, not passing (exit 1), not inconsistent', async () => {
    const text = await verify([write('failing.json', fixtureText('fail')), '--require-pass']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('failing.json: ✔ consistent, ✘ not passing (verdict fail)');
    expect(text.stdout).not.toContain('inconsistent');
  });
});
