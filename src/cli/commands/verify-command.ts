import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BUNDLED_POLICIES, parsePolicyFile } from '../../core/index.js';
import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import { verifyCertificate, type AcceptedPolicy, type VerifyReport } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';

/** Flags of `invarlock verify`. */
export interface VerifyFlags {
  readonly json?: boolean;
  readonly requirePass?: boolean;
  /** A policy file (JSON policy record) to accept instead of contracts/tiers.json's for the recorded tier and profile. */
  readonly policy?: string;
}

/**
 * `invarlock verify CERT...`: checks each certificate's recorded policy against the accepted one
 * (contracts/tiers.json for its tier and profile, or `--policy FILE`), then re-derives every
 * statistic, gate and guard status from its per-window data and measurements. Exit 0 when all are
 * consistent (and passing with `--require-pass`), 1 when one is inconsistent, 2 when one cannot be
 * read or parsed. Every rejection names its `E_CERT_*` code; a bad file never stops the others.
 */
export async function runVerify(paths: readonly string[], flags: VerifyFlags, ctx: CliContext): Promise<number> {
  let policy: AcceptedPolicy = BUNDLED_POLICIES;
  if (flags.policy !== undefined) {
    try {
      policy = parsePolicyFile(await readFile(resolve(ctx.cwd, flags.policy), 'utf8'), flags.policy);
    } catch (error) {
      if (isInvarlockError(error)) throw error;
      throw new InvarlockError('E_FILE_NOT_FOUND', `cannot read the policy file ${flags.policy}: ${(error as Error).message}`, { details: { file: flags.policy } });
    }
  }
  const reports: { path: string; report: VerifyReport }[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(resolve(ctx.cwd, path), 'utf8');
    } catch (error) {
      reports.push({ path, report: { exitCode: 2, checks: [{ id: 'parse', status: 'fail', message: `cannot read ${path}: ${(error as Error).message}`, code: 'E_FILE_READ' }] } });
      continue;
    }
    reports.push({ path, report: verifyOne(text, path, flags, policy) });
  }
  if (flags.json === true) {
    ctx.stdout.write(`${JSON.stringify(reports.map(({ path, report }) => ({ path, ...report })))}\n`);
  } else {
    const { style } = ctx;
    for (const { path, report } of reports) {
      const mark = report.exitCode === 0 ? style.green('✔ consistent') : report.exitCode === 1 ? style.red('✘ inconsistent') : style.red('✘ malformed');
      ctx.stdout.write(`${style.bold(path)}: ${mark}${report.verdict === undefined ? '' : ` (verdict ${report.verdict})`}\n`);
      for (const check of report.checks) {
        const status = check.status === 'pass' ? style.green('pass') : check.status === 'fail' ? style.red('FAIL') : style.dim('skip');
        const diff = check.status === 'fail' && check.path !== undefined ? ` at ${check.path}: expected ${check.expected ?? '?'}, recorded ${check.actual ?? '?'}` : '';
        const code = check.status === 'fail' && check.code !== undefined ? ` ${check.code}` : '';
        ctx.stdout.write(`  ${status}${code} ${check.id}: ${check.message}${diff}\n`);
      }
    }
  }
  return Math.max(0, ...reports.map((r) => r.report.exitCode));
}

/** One certificate's report; whatever goes wrong is this file's rejection, never the end of the run. */
function verifyOne(text: string, path: string, flags: VerifyFlags, policy: AcceptedPolicy): VerifyReport {
  try {
    return verifyCertificate(text, { source: path, requirePass: flags.requirePass === true, policy });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: 2, checks: [{ id: 'parse', status: 'fail', message: `${path} could not be verified: ${message}`, code: 'E_CERT_VERIFY' }] };
  }
}
