/**
 * `invarlock report CERT` reproduces the reports a run wrote, byte for byte: the run renders the
 * certificate as its file holds it (schema order; open objects such as an edit's config with sorted
 * keys), so the key order the run built them with (the user's config order) cannot leak into them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { buildCertificate, writeReportFiles } from '../../src/report/index.js';
import { cliIo } from '../core/runner/runner-fixtures.js';
import { sampleInputs } from '../report/sample-inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'invarlock-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function report(argv: readonly string[]): Promise<string> {
  const io = cliIo({ cwd: dir });
  expect(await runCli(['report', ...argv], io)).toBe(0);
  return readFileSync(join(dir, argv[argv.indexOf('--out') + 1]!), 'utf8');
}

describe('invarlock report on a written certificate', () => {
  it('gives the bytes of report.md and report.html the run wrote, with an edit config in the user\'s (unsorted) key order', async () => {
    const input = sampleInputs().warn;
    // the user wrote scope before bits, and a nested object with unsorted keys
    const change = { kind: 'edit' as const, name: 'quant_rtn' as const, config: { scope: 'ffn', bits: 4, group_size: 128, extra: { z: 1, a: 2 } }, params_changed: 10, modules_touched: ['transformer.h.0.mlp.c_fc'], rolled_back: false };
    const cert = buildCertificate({ ...input, change });
    const files = await writeReportFiles(cert, join(dir, 'run'));
    const md = await report([files.json!, '--format', 'md', '--out', 'again.md']);
    const html = await report([files.json!, '--format', 'html', '--out', 'again.html']);
    const json = await report([files.json!, '--format', 'json', '--out', 'again.json']);
    expect(md).toBe(readFileSync(files.markdown!, 'utf8'));
    expect(html).toBe(readFileSync(files.html!, 'utf8'));
    expect(json).toBe(readFileSync(files.json!, 'utf8'));
    // one canonical order: sorted keys in both paths
    expect(md).toContain('(bits=4, extra={"a"\\:2,"z"\\:1}, group\\_size=128, scope="ffn")');
  });
});
