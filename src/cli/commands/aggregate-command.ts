import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { aggregateShards, type ShardPartial } from '../../core/index.js';
import { InvarlockError, readUntrustedFile } from '../../errors/index.js';
import { buildCertificate, renderHeadline, writeReportFiles, type Certificate } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodeOf, writeJunit } from './certify-command.js';

/** Largest partial result read (untrusted artifact input). */
const MAX_PARTIAL_BYTES = 256 * 1024 * 1024;
/** Most partial files read from one folder tree. */
const MAX_PARTIALS = 1024;

/**
 * `invarlock aggregate --in DIR --out DIR [--json]`: merges the `*.partial.json` files of one
 * sharded plan (per subject) into certificates, as if one job had evaluated every window. Exit
 * codes as `certify`.
 */
export async function runAggregate(flags: { readonly in?: string; readonly out?: string; readonly junit?: string; readonly json?: boolean }, ctx: CliContext): Promise<number> {
  if (flags.in === undefined) throw new InvarlockError('E_USAGE', 'aggregate needs --in DIR', { details: { field: 'in' } });
  const dir = resolve(ctx.cwd, flags.in);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    throw new InvarlockError('E_FILE_NOT_FOUND', `cannot read ${dir}`, { details: { file: dir }, cause: error });
  });
  // At any depth (download-artifact puts each artifact in its own folder); regular files only, so a
  // symlink cannot pull in a file from elsewhere.
  const names = entries
    .filter((e) => e.isFile() && e.name.endsWith('.partial.json'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
  if (names.length === 0) throw new InvarlockError('E_FILE_NOT_FOUND', `no *.partial.json below ${dir}`, { details: { file: dir } });
  if (names.length > MAX_PARTIALS) throw new InvarlockError('E_USAGE', `${names.length} partial results below ${dir}; at most ${MAX_PARTIALS}`, { details: { file: dir } });
  const byLabel = new Map<string, ShardPartial[]>();
  for (const name of names) {
    const bytes = await readUntrustedFile(join(dir, name), { what: 'shard partial', maxBytes: MAX_PARTIAL_BYTES, tooLargeCode: 'E_CERT_TOO_LARGE' });
    if (bytes.length > MAX_PARTIAL_BYTES) throw new InvarlockError('E_CERT_TOO_LARGE', `${name} is larger than ${MAX_PARTIAL_BYTES} bytes`, { details: { file: name } });
    let partial: ShardPartial;
    try {
      partial = JSON.parse(bytes.toString('utf8')) as ShardPartial;
    } catch (error) {
      throw new InvarlockError('E_CERT_PARSE', `${name} is not valid JSON`, { details: { file: name }, cause: error });
    }
    if (partial?.format !== 'invarlock.shard-partial/v1' || typeof partial.label !== 'string') {
      throw new InvarlockError('E_CERT_SCHEMA', `${name} is not an invarlock shard partial (v1)`, { details: { file: name } });
    }
    byLabel.set(partial.label, [...(byLabel.get(partial.label) ?? []), partial]);
  }
  const outDir = resolve(ctx.cwd, flags.out ?? 'invarlock-out');
  const results: { label: string; verdict: string; ratio: number | null; files: Record<string, string | undefined> }[] = [];
  const verdicts: Parameters<typeof exitCodeOf>[0][number][] = [];
  const certificates: Certificate[] = [];
  for (const [label, partials] of [...byLabel.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // buildCertificate validates the merged record against the schema: a forged partial cannot pass as a certificate
    const certificate = buildCertificate(aggregateShards(partials));
    const target = byLabel.size === 1 ? outDir : join(outDir, label.replace(/[^A-Za-z0-9._-]+/g, '-'));
    const files = await writeReportFiles(certificate, target);
    verdicts.push(certificate.verdict.status);
    certificates.push(certificate);
    results.push({ label, verdict: certificate.verdict.status, ratio: certificate.primary_metric.ratio, files });
    if (flags.json !== true) ctx.stdout.write(`${renderHeadline(certificate)}\n  → ${files.json ?? ''}\n`);
  }
  if (flags.junit !== undefined) await writeJunit(resolve(ctx.cwd, flags.junit), certificates);
  if (flags.json === true) ctx.stdout.write(`${JSON.stringify({ subjects: results })}\n`);
  return exitCodeOf(verdicts);
}
