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
  /** Summed stage durations: `prepare`, `baseline preview` (baseline scoring or reuse), then the subject's `apply`, `preview`, `guards`, `evaluate`, `report`. */
  readonly stageMs: Readonly<Record<string, number>>;
  readonly verdicts: readonly string[];
  /** True when the run said it reused the saved baseline evaluation. */
  readonly reusedBaseline: boolean;
  readonly warnings: readonly string[];
  readonly peakRssBytes: number;
  /**
   * Largest RSS and ArrayBuffer bytes seen in each stage (sampled at every run event and every
   * 100 ms while the event loop is free), in order of the stages: where the memory goes.
   */
  readonly memoryByStage: readonly { readonly stage: string; readonly rssBytes: number; readonly arrayBufferBytes: number }[];
}

async function main(): Promise<void> {
  const input = childInput<CertifyInput>();
  const config = resolveRunConfig(parseRunConfigFile(input.config, 'bench'), 'bench');
  const stageMs: Record<string, number> = {};
  const warnings: string[] = [];
  let reusedBaseline = false;
  const memory = new Map<string, { rssBytes: number; arrayBufferBytes: number }>();
  let current = 'start';
  const sample = (): void => {
    const usage = process.memoryUsage();
    const seen = memory.get(current) ?? { rssBytes: 0, arrayBufferBytes: 0 };
    memory.set(current, { rssBytes: Math.max(seen.rssBytes, usage.rss), arrayBufferBytes: Math.max(seen.arrayBufferBytes, usage.arrayBuffers) });
  };
  const sampler = setInterval(sample, 100);
  const onEvent = (event: RunEvent): void => {
    sample();
    if (event.type === 'stage-start') current = event.subject === null && event.stage !== 'prepare' ? `baseline ${event.stage}` : event.stage;
    if (event.type === 'stage-end') {
      // the baseline's stages carry no subject; `prepare` is the baseline's alone
      const key = event.subject === null && event.stage !== 'prepare' ? `baseline ${event.stage}` : event.stage;
      stageMs[key] = (stageMs[key] ?? 0) + event.durationMs;
    }
    else if (event.type === 'warning') warnings.push(`${event.id}: ${event.message}`);
    else if (event.type === 'info' && event.message.startsWith('reusing the baseline evaluation')) reusedBaseline = true;
  };
  const start = performance.now();
  const run = await certify(config, { cwd: process.cwd(), onEvent });
  const certifyMs = performance.now() - start;
  sample();
  clearInterval(sampler);
  if (input.saveBaselineEval !== null) writeFileSync(input.saveBaselineEval, `${JSON.stringify(run.baselineEvaluation)}\n`);
  const result: CertifyResult = {
    certifyMs,
    stageMs,
    verdicts: run.subjects.map((s) => s.certificate.verdict.status),
    reusedBaseline,
    warnings,
    peakRssBytes: peakRssBytes(),
    memoryByStage: [...memory].map(([stage, m]) => ({ stage, ...m })),
  };
  reportResult(result);
}

await main();
