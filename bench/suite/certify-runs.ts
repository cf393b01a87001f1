/**
 * Cold and reused-baseline certify runs of one model, for sections 3 and 4: each run is a fresh
 * child process (certify-child.ts) calling `certify()` on the same configuration — the model with
 * the built-in `quant_rtn` 8-bit edit on WikiText-2 raw test — the reused runs adding
 * `baseline_eval` pointing at the evaluation the cold run saved. Cold and reused runs alternate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchModel } from './bench-models.js';
import type { CertifyInput, CertifyResult } from './certify-child.js';
import { REPO_ROOT, runChild } from './child-process.js';
import { formatDuration, formatMiB } from './report-model.js';

/** The dataset file of the certify runs (the project's shared copy, outside the checkout). */
export const CERTIFY_DATA = join(REPO_ROOT, '..', 'shared', 'data', 'wikitext-2-raw', 'test.txt');

/** One certify run as the parent saw it. */
export interface TimedCertify extends CertifyResult {
  /** Spawn to exit of the child (Node start, imports, certify, exit). */
  readonly processMs: number;
}

/** Cold and reused runs of one model. */
export interface CertifyPair {
  readonly model: BenchModel;
  readonly profile: 'dev' | 'ci';
  readonly cold: readonly TimedCertify[];
  readonly reused: readonly TimedCertify[];
}

/** Options of {@link runCertifyPair}. */
export interface CertifyPairOptions {
  readonly profile: 'dev' | 'ci';
  readonly rounds: number;
  readonly onLog: (line: string) => void;
}

/** The configuration record of the benchmark's certify runs. */
export function certifyConfig(model: BenchModel, profile: 'dev' | 'ci', outDir: string, baselineEval: string | null): Record<string, unknown> {
  return {
    baseline: model.dir,
    edit: { name: 'quant_rtn', config: { bits: 8 } },
    profile,
    dataset: { provider: 'wikitext2', path: CERTIFY_DATA },
    device: 'cpu',
    output_dir: outDir,
    ...(baselineEval === null ? {} : { baseline_eval: baselineEval }),
  };
}

/** Runs `rounds` × (cold, reused) certify runs of `model`. */
export async function runCertifyPair(model: BenchModel, options: CertifyPairOptions): Promise<CertifyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'invarlock-bench-certify-'));
  const saved = join(dir, 'baseline-eval.json');
  const cold: TimedCertify[] = [];
  const reused: TimedCertify[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of ['cold', 'reused'] as const) {
        const input: CertifyInput = {
          config: certifyConfig(model, options.profile, join(dir, 'out'), kind === 'cold' ? null : saved),
          saveBaselineEval: kind === 'cold' ? saved : null,
        };
        const { result, wallMs } = await runChild<CertifyResult>('bench/suite/certify-child.ts', input);
        (kind === 'cold' ? cold : reused).push({ ...result, processMs: wallMs });
        options.onLog(`  ${model.name} ${kind}: certify ${formatDuration(result.certifyMs)}, process ${formatDuration(wallMs)}, peak RSS ${formatMiB(result.peakRssBytes)}, verdict ${result.verdicts.join(',')}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { model, profile: options.profile, cold, reused };
}
