/**
 * The benchmark suite: `npm run bench [-- options]`. Measures, side by side in one run, the ratios
 * the project commits to and writes them to bench/RESULTS.md (see bench/README.md):
 *   1. evaluation tokens/s: invarlock scorer vs raw onnxruntime logits vs transformers.js-style JS;
 *   2. the guards' weight-statistics pass vs numpy;
 *   3. cold certify vs certify with a reused baseline evaluation;
 *   4. certify peak RSS vs model size;
 *   5. CLI and Action start-up (needs dist/: `npm run bundle`).
 *
 * Options: --quick (fixtures only, one round) · --model medium|gpt2-small (repeatable; default
 * medium, a generated 6-layer × 512 GPT-2) · --rounds N (2) · --batch N (8) · --windows N (32) ·
 * --threads N (0: onnxruntime's choice) · --sections 1,2,3,4,5 · --dist DIR (dist) ·
 * --startup-runs N (5) · --results FILE|off (bench/RESULTS.md).
 */
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fixtureModel, generatedModel, GENERATED_SPECS, type BenchModel, type GeneratedName } from './suite/bench-models.js';
import { runCertifyPair, type CertifyPair } from './suite/certify-runs.js';
import { buildMemoryReport, buildReuseReport } from './suite/certify-reports.js';
import { REPO_ROOT, runChild } from './suite/child-process.js';
import { measureEvalThroughput } from './suite/eval-throughput.js';
import { measureGuardTime } from './suite/guard-time.js';
import { describeMachine, loadNow } from './suite/machine.js';
import { formatDuration, formatMiB, type SectionReport } from './suite/report-model.js';
import { markdownGoals, markdownSections, renderText } from './suite/render-report.js';
import { writeResultsBlock } from './suite/results-file.js';
import { buildStartupReport } from './suite/startup-report.js';
import { measureStartup } from './suite/startup-timing.js';

interface BenchOptions {
  readonly quick: boolean;
  readonly models: readonly GeneratedName[];
  readonly rounds: number;
  readonly batch: number;
  readonly windows: number;
  readonly threads: number;
  readonly sections: ReadonlySet<number>;
  readonly dist: string;
  readonly startupRuns: number;
  readonly results: string | null;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      model: { type: 'string', multiple: true },
      rounds: { type: 'string' },
      batch: { type: 'string', default: '8' },
      windows: { type: 'string', default: '32' },
      threads: { type: 'string', default: '0' },
      sections: { type: 'string', default: '1,2,3,4,5' },
      dist: { type: 'string', default: 'dist' },
      'startup-runs': { type: 'string' },
      results: { type: 'string', default: join('bench', 'RESULTS.md') },
    },
    strict: true,
  });
  const count = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} expects an integer ≥ ${min}, got '${text}'`);
    return n;
  };
  const models = (values.model ?? ['medium']).map((m) => {
    if (!(m in GENERATED_SPECS)) throw new Error(`--model expects ${Object.keys(GENERATED_SPECS).join(' or ')}, got '${m}'`);
    return m as GeneratedName;
  });
  return {
    quick: values.quick,
    models: values.quick ? [] : models,
    rounds: count('rounds', values.rounds ?? (values.quick ? '1' : '2'), 1),
    batch: count('batch', values.batch, 1),
    windows: count('windows', values.windows, 1),
    threads: count('threads', values.threads, 0),
    sections: new Set(values.sections.split(',').map((s) => count('sections', s.trim(), 1))),
    dist: resolve(REPO_ROOT, values.dist),
    startupRuns: count('startup-runs', values['startup-runs'] ?? (values.quick ? '3' : '5'), 1),
    results: values.results === 'off' ? null : resolve(REPO_ROOT, values.results),
  };
}

/** Which RESULTS.md block a run writes: one per kind of run. */
function runLabel(options: BenchOptions): string {
  if (options.quick) return 'quick';
  return options.models.length === 1 && options.models[0] === 'medium' ? 'default' : `model-${options.models.join('+')}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const machine = describeMachine();
  const loadSamples: number[] = [loadNow()];
  const sampler = setInterval(() => loadSamples.push(loadNow()), 10_000).unref();
  const log = (line: string): void => console.error(`[${formatDuration(performance.now() - started).padStart(9)}] ${line}`);
  log(`invarlock bench (${runLabel(options)}): ${machine.cpuModel}, ${machine.logicalCores} cores, load ${machine.loadAtStart.join(' / ')}`);

  const fixtures: BenchModel[] = (options.quick ? ['gpt2-tiny'] : ['gpt2-tiny', 'llama-tiny']).map(fixtureModel);
  const generated: BenchModel[] = [];
  for (const name of options.models) generated.push(await generatedModel(name, log));
  const tiny = fixtures[0]!;

  const sections: SectionReport[] = [];
  if (options.sections.has(1)) {
    sections.push(
      await measureEvalThroughput({
        models: [...fixtures, ...generated],
        batchSize: options.batch,
        windows: options.windows,
        seqLen: 128,
        rounds: options.rounds,
        fixturePasses: 6,
        threads: options.threads,
        onLog: log,
      }),
    );
  }
  if (options.sections.has(2)) sections.push(await measureGuardTime([tiny, ...generated], log));
  if (options.sections.has(3) || options.sections.has(4)) {
    const pairs: CertifyPair[] = [];
    log(`sections 3-4: ${tiny.name}`);
    pairs.push(await runCertifyPair(tiny, { profile: options.quick ? 'dev' : 'ci', rounds: options.rounds, onLog: log }));
    for (const model of generated) {
      log(`sections 3-4: ${model.name}`);
      pairs.push(await runCertifyPair(model, { profile: 'dev', rounds: 1, onLog: log }));
    }
    const { result: idle } = await runChild<{ peakRssBytes: number }>('bench/suite/idle-child.ts', {});
    if (options.sections.has(3)) sections.push(buildReuseReport(pairs));
    if (options.sections.has(4)) sections.push(buildMemoryReport(generated.length === 0 ? pairs : pairs.filter((p) => p.model.origin === 'generated'), idle.peakRssBytes));
  }
  if (options.sections.has(5)) {
    log('section 5: start-up');
    sections.push(buildStartupReport(await measureStartup({ distDir: options.dist, runs: options.startupRuns, cwd: REPO_ROOT }), options.startupRuns));
  }
  clearInterval(sampler);
  loadSamples.push(loadNow());
  const elapsed = performance.now() - started;

  console.log(renderText(sections));
  const goals = sections.flatMap((s) => s.goals);
  console.log(`\ngoals: ${goals.filter((g) => g.status === 'met').length} met, ${goals.filter((g) => g.status === 'missed').length} missed, ${goals.filter((g) => g.status === 'not judged').length} not judged; ${formatDuration(elapsed)}`);

  if (options.results !== null) {
    const args = process.argv.slice(2);
    const command = `npm run bench${args.length === 0 ? '' : ` -- ${args.join(' ')}`}`;
    const meanLoad = loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length;
    const markdown = [
      `## Run \`${runLabel(options)}\`: \`${command}\``,
      '',
      `- Date: ${new Date().toISOString()}; wall time of the whole run ${formatDuration(elapsed)}.`,
      `- Machine: ${machine.cpuModel}, ${machine.logicalCores} logical cores, ${formatMiB(machine.totalMemoryBytes)} RAM, ${machine.os}; Node ${machine.node}, onnxruntime-node ${machine.onnxruntime}, numpy ${machine.numpy}.`,
      `- Load average (1 min) during the run: start ${machine.loadAtStart[0]}, mean ${meanLoad.toFixed(2)}, max ${Math.max(...loadSamples).toFixed(2)}, end ${loadSamples[loadSamples.length - 1]} (shared with other engineers' test runs; ${machine.logicalCores} cores).`,
      `- Models: ${[...fixtures, ...generated].map((m) => `${m.name} (${formatMiB(m.fileBytes)}${m.origin === 'generated' ? ', generated' : ', fixture'})`).join(', ')}.`,
      '',
      '### Goals',
      '',
      markdownGoals(sections),
      '',
      markdownSections(sections),
    ].join('\n');
    writeResultsBlock(options.results, runLabel(options), markdown);
    log(`wrote ${relative(process.cwd(), options.results)}`);
  }
}

await main();
