/**
 * Child process of sections 3 and 4: one `certify()` run of a configuration record, timed by
 * stage, with the process's peak RSS. A cold run can save its baseline evaluation (what the CLI
 * writes as baseline-eval.json) for a later run that names it in `baseline_eval`.
 */
import { writeFileSync } from 'node:fs';
import { certify, parseRunConfigFile, resolveRunConfig, type RunEvent } from '../../src/core/index.js';
import { childInput, peakRssBytes, reportResult } from './child-process.js';

/** Input of this child. */
export interface CertifyInput {
  /** A config record as contracts/config.schema.json describes it (paths absolute). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Write the run's baseline evaluation here (cold runs). */
  readonly saveBaselineEval: string | null;
}

/** Result of this child. */
export interface CertifyResult {
  /** The `certify()` call, start to return. */
  readonly certifyMs: number;
  /** Summed stage durations by stage name (`prepare`, `preview`, `apply`, `guards`, `evaluate`, `report`). */
  readonly stageMs: Readonly<Record<string, number>>;
  readonly verdicts: readonly string[];
  /** True when the run said it reused the saved baseline evaluation. */
  readonly reusedBaseline: boolean;
  readonly warnings: readonly string[];
  readonly peakRssBytes: number;
}

async function main(): Promise<void> {
  const input = childInput<CertifyInput>();
  const config = resolveRunConfig(parseRunConfigFile(input.config, 'bench'), 'bench');
  const stageMs: Record<string, number> = {};
  const warnings: string[] = [];
  let reusedBaseline = false;
  const onEvent = (event: RunEvent): void => {
    if (event.type === 'stage-end') stageMs[event.stage] = (stageMs[event.stage] ?? 0) + event.durationMs;
    else if (event.type === 'warning') warnings.push(`${event.id}: ${event.message}`);
    else if (event.type === 'info' && event.message.startsWith('reusing the baseline evaluation')) reusedBaseline = true;
  };
  const start = performance.now();
  const run = await certify(config, { cwd: process.cwd(), onEvent });
  const certifyMs = performance.now() - start;
  if (input.saveBaselineEval !== null) writeFileSync(input.saveBaselineEval, `${JSON.stringify(run.baselineEvaluation)}\n`);
  const result: CertifyResult = {
    certifyMs,
    stageMs,
    verdicts: run.subjects.map((s) => s.certificate.verdict.status),
    reusedBaseline,
    warnings,
    peakRssBytes: peakRssBytes(),
  };
  reportResult(result);
}

await main();
