import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { verifyCertificate, type VerifyReport } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';

/** Flags of `invarlock verify`. */
export interface VerifyFlags {
  readonly json?: boolean;
  readonly requirePass?: boolean;
}

/**
 * `invarlock verify CERT...`: re-derives every statistic and gate of each certificate from its
 * per-window data. Exit 0 when all are consistent (and passing with `--require-pass`), 1 when one
 * is inconsistent, 2 when one cannot be read or parsed.
 */
export async function runVerify(paths: readonly string[], flags: VerifyFlags, ctx: CliContext): Promise<number> {
  const reports: { path: string; report: VerifyReport }[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(resolve(ctx.cwd, path), 'utf8');
    } catch (error) {
      reports.push({ path, report: { exitCode: 2, checks: [{ id: 'parse', status: 'fail', message: `cannot read ${path}: ${(error as Error).message}` }] } });
      continue;
    }
    reports.push({ path, report: verifyCertificate(text, { source: path, requirePass: flags.requirePass === true }) });
  }
  if (flags.json === true) {
    ctx.stdout.write(`${JSON.stringify(reports.map(({ path, report }) => ({ path, ...report })))}\n`);
  } else {
    const { style } = ctx;
    for (const { path, report } of reports) {
      // --require-pass on a consistent certificate that did not pass: consistent, but not passing.
      const failed = report.checks.filter((c) => c.status === 'fail');
      const notPassing = report.exitCode === 1 && failed.length > 0 && failed.every((c) => c.id === 'require_pass');
      const mark = report.exitCode === 0 ? style.green('✔ consistent') : notPassing ? `${style.green('✔ consistent')}, ${style.red('✘ not passing')}` : report.exitCode === 1 ? style.red('✘ inconsistent') : style.red('✘ malformed');
      ctx.stdout.write(`${style.bold(path)}: ${mark}${report.verdict === undefined ? '' : ` (verdict ${report.verdict})`}\n`);
      for (const check of report.checks) {
        const status = check.status === 'pass' ? style.green('pass') : check.status === 'fail' ? style.red('FAIL') : style.dim('skip');
        const diff = check.status === 'fail' && check.path !== undefined ? ` at ${check.path}: expected ${check.expected ?? '?'}, recorded ${check.actual ?? '?'}` : '';
        ctx.stdout.write(`  ${status} ${check.id}: ${check.message}${diff}\n`);
      }
    }
  }
  return Math.max(0, ...reports.map((r) => r.report.exitCode));
}
