import { isInvarlockError, readUntrustedFile, readUntrustedText, UNTRUSTED_FILE_LIMITS } from '../../errors/index.js';
import { resolve } from 'node:path';
import { BUNDLED_POLICIES, parsePolicyFile } from '../../core/index.js';
import { InvarlockError } from '../../errors/index.js';
import { signatureBundlePath, VERIFY_DEFAULTS, verifyCertificate, verifyCertificateSignature, type AcceptedPolicy, type SignatureCheck, type SignaturePolicy, type VerifyCheck, type VerifyReport } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';

/** Flags of `invarlock verify`. */
export interface VerifyFlags {
  readonly json?: boolean;
  readonly requirePass?: boolean;
  /** A policy file (JSON policy record) to accept instead of contracts/tiers.json's for the recorded tier and profile. */
  readonly policy?: string;
  /** Require a Sigstore bundle beside each certificate (`*.sigstore.json`) signed by this identity (workflow URL). */
  readonly certificateIdentity?: string;
  /** The OIDC issuer of that identity. */
  readonly certificateOidcIssuer?: string;
  /** A Sigstore trusted_root.json; default: the public-good root shipped with @sigstore/tuf (read offline). */
  readonly trustedRoot?: string;
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
      policy = parsePolicyFile(await readUntrustedText(resolve(ctx.cwd, flags.policy), { what: 'policy file', maxBytes: UNTRUSTED_FILE_LIMITS.configBytes }), flags.policy);
    } catch (error) {
      if (isInvarlockError(error)) throw error;
      throw new InvarlockError('E_FILE_NOT_FOUND', `cannot read the policy file ${flags.policy}: ${(error as Error).message}`, { details: { file: flags.policy } });
    }
  }
  const signature = await signaturePolicyOf(flags, ctx);
  const reports: { path: string; report: VerifyReport }[] = [];
  for (const path of paths) {
    let text: Buffer;
    try {
      // A FIFO or device here used to hang verify (#13): regular files only, size checked first.
      text = await readUntrustedFile(resolve(ctx.cwd, path), { what: 'certificate', maxBytes: VERIFY_DEFAULTS.maxBytes, tooLargeCode: 'E_CERT_TOO_LARGE' });
    } catch (error) {
      const why = isInvarlockError(error) ? error.message : `cannot read ${path}: ${(error as Error).message}`;
      reports.push({ path, report: { exitCode: 2, checks: [{ id: 'parse', status: 'fail', message: why, code: isInvarlockError(error) ? error.code : 'E_FILE_READ' }] } });
      continue;
    }
    const report = verifyOne(text, path, flags, policy);
    reports.push({ path, report: signature === null ? report : await withSignature(report, text, path, signature, ctx) });
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
        const diff = check.status === 'fail' && check.path !== undefined && (check.expected !== undefined || check.actual !== undefined) ? ` at ${check.path}: expected ${check.expected ?? '?'}, recorded ${check.actual ?? '?'}` : '';
        const code = check.status === 'fail' && check.code !== undefined ? ` ${check.code}` : '';
        ctx.stdout.write(`  ${status} ${check.id}${code}: ${check.message}${diff}\n`);
      }
    }
  }
  return Math.max(0, ...reports.map((r) => r.report.exitCode));
}

/** One certificate's report; whatever goes wrong is this file's rejection, never the end of the run. */
function verifyOne(text: Uint8Array, path: string, flags: VerifyFlags, policy: AcceptedPolicy): VerifyReport {
  try {
    return verifyCertificate(text, { source: path, requirePass: flags.requirePass === true, policy });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: 2, checks: [{ id: 'parse', status: 'fail', message: `${path} could not be verified: ${message}`, code: 'E_CERT_VERIFY' }] };
  }
}

/** The signature the flags require, or null; both identity flags or neither. */
async function signaturePolicyOf(flags: VerifyFlags, ctx: CliContext): Promise<SignaturePolicy | null> {
  const { certificateIdentity: identity, certificateOidcIssuer: issuer } = flags;
  if (identity === undefined && issuer === undefined) {
    if (flags.trustedRoot !== undefined) throw new InvarlockError('E_USAGE', '--trusted-root needs --certificate-identity and --certificate-oidc-issuer');
    return null;
  }
  if (identity === undefined || issuer === undefined) throw new InvarlockError('E_USAGE', '--certificate-identity and --certificate-oidc-issuer go together');
  if (flags.trustedRoot === undefined) return { identity, issuer, trustedRoot: null };
  const rootPath = flags.trustedRoot;
  const text = await readUntrustedText(resolve(ctx.cwd, rootPath), { what: 'trusted root', maxBytes: UNTRUSTED_FILE_LIMITS.configBytes });
  try {
    return { identity, issuer, trustedRoot: JSON.parse(text) as unknown };
  } catch {
    throw new InvarlockError('E_CONFIG_PARSE', `${rootPath} is not valid JSON`, { details: { file: rootPath } });
  }
}

/** Adds the signature check: the bundle beside the certificate must verify for the required identity. */
async function withSignature(report: VerifyReport, bytes: Uint8Array, path: string, policy: SignaturePolicy, ctx: CliContext): Promise<VerifyReport> {
  if (report.exitCode === 2 || report.digest === undefined) return report;
  const bundlePath = signatureBundlePath(path);
  // The bundle sits beside an untrusted certificate: a FIFO or device there must not block (#13).
  const bundle = await readUntrustedText(resolve(ctx.cwd, bundlePath), { what: 'signature bundle', maxBytes: UNTRUSTED_FILE_LIMITS.configBytes }).catch(() => null);
  const cert = JSON.parse(Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '')) as { digest: string; run_id: string };
  const result: SignatureCheck = bundle === null ? { ok: false, message: `no signature: ${bundlePath} is missing` } : verifyCertificateSignature(bundle, bytes, cert, policy);
  const check: VerifyCheck = result.ok ? { id: 'signature', status: 'pass', message: result.message } : { id: 'signature', status: 'fail', message: result.message, code: 'E_CERT_SIGNATURE' };
  return { ...report, exitCode: result.ok ? report.exitCode : Math.max(report.exitCode, 1) as 1 | 2, checks: [...report.checks, check] };
}
