/**
 * Issue 13, item 1: a certificate nobody can forge into a pass. Forgeries are resealed (policy
 * digest, run id and certificate digest recomputed), so only verify's policy check and its
 * re-decisions can refuse them. Before these checks, `verify --require-pass` accepted the issue's
 * forgery, and of all forgeries of the fixtures 40 accepted ones changed a decision and 1,273 a
 * policy threshold (`npx tsx bench/forgery/count.ts`); now none does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { BUNDLED_POLICIES } from '../../src/core/index.js';
import { verifyCertificate, type Certificate } from '../../src/report/index.js';
import { cliIo } from '../core/runner/runner-fixtures.js';
import { decisionsOf, guardFlipMutations, issueForgery, leafMutations, loosenedMutations, type Mutation } from './forgery-mutations.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/certificates');
const fixture = (name: string): Certificate => JSON.parse(readFileSync(join(FIXTURES, `${name}.cert.json`), 'utf8')) as Certificate;
const dir = mkdtempSync(join(tmpdir(), 'invarlock-forgery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string }> {
  const io = cliIo({ cwd: dir });
  const code = await runCli(argv, io);
  return { code, stdout: io.out() };
}

/** A policy without the planned window counts, which are the run's own choice (`--preview-n`). */
function thresholdsOf(policy: unknown): unknown {
  const { windows: _windows, ...rest } = policy as Certificate['policy'];
  return rest;
}

/** Forgeries verify accepted that changed what the certificate decides, or the policy it was decided with. */
function accepted(mutations: readonly Mutation[], original: Certificate): { decisions: string[]; policies: string[] } {
  const decisions: string[] = [];
  const policies: string[] = [];
  for (const m of mutations) {
    if (verifyCertificate(JSON.stringify(m.cert), { policy: BUNDLED_POLICIES }).exitCode !== 0) continue;
    if (decisionsOf(m.cert) !== decisionsOf(original as never)) decisions.push(`${m.family}: ${m.label}`);
    if (JSON.stringify(thresholdsOf(m.cert.policy)) !== JSON.stringify(thresholdsOf(original.policy))) policies.push(`${m.family}: ${m.label}`);
  }
  return { decisions, policies };
}

describe('forged certificates (issue 13)', () => {
  it("refuses the issue's forged PASS: verify --require-pass exits 1 naming E_CERT_POLICY", async () => {
    const path = join(dir, 'forged.cert.json');
    writeFileSync(path, JSON.stringify(issueForgery(fixture('fail'))));
    const result = await cli(['verify', path, '--require-pass']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL policy E_CERT_POLICY');
    expect(result.stdout).toContain('policy.thresholds.primary_metric.ratio_limit: expected 1.1, recorded 1.2');
  });

  it('refuses it even when the caller accepts the loosened policy: the guard statuses are re-decided from their measurements', async () => {
    const forged = issueForgery(fixture('fail'));
    const certPath = join(dir, 'forged2.cert.json');
    const policyPath = join(dir, 'loose-policy.json');
    writeFileSync(certPath, JSON.stringify(forged));
    writeFileSync(policyPath, JSON.stringify(forged.policy));
    const result = await cli(['verify', certPath, '--policy', policyPath, '--json']);
    expect(result.code).toBe(1);
    const [report] = JSON.parse(result.stdout) as { checks: { id: string; status: string; path?: string; code?: string }[] }[];
    expect(report?.checks.find((c) => c.id === 'policy')?.status).toBe('pass');
    // spectral: 7 weights outside the deadband, budget 5 → fail, whatever the forger wrote
    expect(report?.checks.find((c) => c.id === 'gates')).toMatchObject({ status: 'fail', path: 'guards.spectral.status', code: 'E_CERT_VERIFY' });
  });

  it('accepts no loosened-policy or guard-flip forgery of any fixture', () => {
    for (const name of ['pass', 'warn', 'fail', 'catastrophe', 'accuracy', 'error', 'dev']) {
      const cert = fixture(name);
      const found = accepted([...loosenedMutations(cert), ...guardFlipMutations(cert)], cert);
      expect(found, name).toEqual({ decisions: [], policies: [] });
    }
  });

  it('accepts no single-value forgery that changes a decision or the policy (a sample; bench/forgery runs them all)', () => {
    for (const [name, every] of [['dev', 6], ['fail', 30]] as const) {
      const cert = fixture(name);
      const found = accepted(leafMutations(cert).filter((_, i) => i % every === 0), cert);
      expect(found, name).toEqual({ decisions: [], policies: [] });
    }
  }, 180_000);
});
