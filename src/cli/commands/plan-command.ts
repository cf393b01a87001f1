import { resolve } from 'node:path';
import { planWindows, PROFILE_NAMES, resolvePolicy, TIER_NAMES, type WindowPlan } from '../../core/index.js';
import { InvarlockError, readUntrustedFile } from '../../errors/index.js';
import { parseCertificate, VERIFY_DEFAULTS } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';

/** Flags of `invarlock plan`. */
export interface PlanFlags {
  /** A certificate of a comparable run (the last push's, a dev run): its preview windows' Δ. */
  readonly from: string;
  readonly tier?: string;
  readonly sequential?: string;
  readonly json?: boolean;
}

/**
 * `invarlock plan --from CERT [--tier T] [--sequential K]`: estimates, per profile, how many final
 * windows the primary-metric gate needs at the ratio and per-window spread the certificate's
 * preview arm shows (its final arm when it has no preview), and where sequential looks would stop.
 * Exit 0; 2 for an unreadable certificate or bad flags.
 */
export async function runPlan(flags: PlanFlags, ctx: CliContext): Promise<number> {
  const path = resolve(ctx.cwd, flags.from);
  const bytes = await readUntrustedFile(path, { what: 'certificate', maxBytes: VERIFY_DEFAULTS.maxBytes, tooLargeCode: 'E_CERT_TOO_LARGE' });
  const cert = parseCertificate(bytes, { source: flags.from });
  if (cert.primary_metric.kind === 'accuracy') {
    throw new InvarlockError('E_USAGE', `${flags.from} is an accuracy certificate; plan estimates perplexity windows`, { details: { file: flags.from, field: 'primary_metric.kind' } });
  }
  const tier = flags.tier ?? cert.policy.tier;
  if (!TIER_NAMES.some((t) => t === tier)) throw new InvarlockError('E_USAGE', `--tier must be one of ${TIER_NAMES.join(', ')}, got '${tier}'`, { details: { field: 'tier' } });
  const looks = flags.sequential === undefined ? null : Number(flags.sequential);
  if (looks !== null && !(Number.isInteger(looks) && looks >= 2 && looks <= 10)) {
    throw new InvarlockError('E_USAGE', `--sequential expects an integer from 2 to 10, got '${flags.sequential}'`, { details: { field: 'sequential' } });
  }
  const arm = cert.windows.preview.ids.length >= 2 ? { name: 'preview', ...cert.windows.preview } : { name: 'final', ...cert.windows.final };
  const plan = planWindows({ deltas: arm.delta, weights: arm.weights }, PROFILE_NAMES.map((profile) => resolvePolicy({ tier, profile })), looks);
  ctx.stdout.write(flags.json === true ? `${JSON.stringify({ source: flags.from, arm: arm.name, tier, ...plan })}\n` : renderPlan(plan, arm.name, tier));
  return 0;
}

/** The plan as lines, one per profile. @internal */
export function renderPlan(plan: WindowPlan, arm: string, tier: string): string {
  const head = `from ${plan.windows} ${arm} windows: ratio ×${plan.ratio.toFixed(4)}, sd of per-window Δ ${plan.sd.toPrecision(3)} nats; ${tier} bound ${plan.bound} (expected ${plan.side.toUpperCase()})`;
  const lines = plan.profiles.map((p) => {
    const need = p.needed === null ? 'never resolves (the ratio sits on the bound)' : `resolves from ~${p.needed} windows`;
    const seq =
      p.sequential === null
        ? ''
        : p.sequential.stopLook === null
          ? `; ${p.sequential.looks} looks: no early stop expected`
          : `; ${p.sequential.looks} looks: expected stop at look ${p.sequential.stopLook} (${p.sequential.windows} windows, ${p.planned - p.sequential.windows} saved)`;
    return `  ${p.profile.padEnd(8)} ${String(p.planned).padStart(4)} final windows: ${need}${p.needed !== null && !p.resolves ? ' — more than planned' : ''}${seq}`;
  });
  return `${head}\n${lines.join('\n')}\n`;
}
