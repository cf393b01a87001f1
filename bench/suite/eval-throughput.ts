/**
 * Section 1: evaluation tokens/s of the invarlock scorer (loss head on the device) against plain
 * onnxruntime forward passes that fetch the logits, and against a transformers.js-style loop that
 * does the log-softmax in JavaScript. Every mode runs in its own child process (clean peak RSS) on
 * the same model, windows and batch size; modes are interleaved over rounds (order reversed every
 * other round) and the fastest pass of each mode is kept, which is the number least disturbed by
 * other load on a shared machine. Process CPU time per pass is reported too: under heavy load it
 * tracks the work done better than wall time.
 */
import type { BenchModel } from './bench-models.js';
import { runChild } from './child-process.js';
import type { EvalMode, EvalModeInput, EvalModeResult } from './eval-mode-child.js';
import { best, formatDuration, formatMiB, formatRatio, judgeRatio, median, type GoalCheck, type SectionReport } from './report-model.js';

/** Options of {@link measureEvalThroughput}. */
export interface EvalThroughputOptions {
  readonly models: readonly BenchModel[];
  readonly batchSize: number;
  readonly windows: number;
  readonly seqLen: number;
  readonly rounds: number;
  /** Timed passes per child for fixtures; generated models get one (they take seconds each). */
  readonly fixturePasses: number;
  readonly threads: number;
  readonly onLog: (line: string) => void;
}

const MODES: readonly EvalMode[] = ['invarlock', 'ort-logits', 'tjs-style', 'js-tuned'];

const MODE_LABELS: Readonly<Record<EvalMode, string>> = {
  invarlock: 'invarlock scorer (loss head in ORT, fetch [B,T])',
  'ort-logits': 'raw ORT forward, fetch [B,T,V] logits',
  'tjs-style': 'transformers.js-style: logits → JS log_softmax',
  'js-tuned': 'logits → fused JS log-softmax (no allocation)',
};

interface ModeSummary {
  readonly mode: EvalMode;
  readonly bestMs: number;
  readonly medianMs: number;
  readonly bestCpuMs: number;
  readonly tokensPerPass: number;
  readonly peakRssBytes: number;
  readonly meanLoss: number | null;
  readonly breakdown: EvalModeResult['breakdown'];
  readonly samples: number;
}

function summarize(mode: EvalMode, runs: readonly EvalModeResult[]): ModeSummary {
  const passes = runs.flatMap((r) => r.passMs);
  const fastest = runs.reduce((a, b) => (best(b.passMs) < best(a.passMs) ? b : a));
  return {
    mode,
    bestMs: best(passes),
    medianMs: median(passes),
    bestCpuMs: best(runs.flatMap((r) => r.cpuMs)),
    tokensPerPass: fastest.tokensPerPass,
    peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
    meanLoss: fastest.meanLoss,
    breakdown: fastest.breakdown,
    samples: passes.length,
  };
}

async function measureModel(model: BenchModel, options: EvalThroughputOptions): Promise<Map<EvalMode, ModeSummary>> {
  const runs = new Map<EvalMode, EvalModeResult[]>(MODES.map((m) => [m, []]));
  const passes = model.origin === 'fixture' ? options.fixturePasses : 1;
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) {
      const input: EvalModeInput = { modelDir: model.dir, mode, batchSize: options.batchSize, windows: options.windows, seqLen: options.seqLen, passes, threads: options.threads };
      const { result } = await runChild<EvalModeResult>('bench/suite/eval-mode-child.ts', input);
      runs.get(mode)!.push(result);
      options.onLog(`  ${model.name} round ${round + 1}/${options.rounds} ${mode}: ${result.passMs.map((ms) => formatDuration(ms)).join(', ')} (peak RSS ${formatMiB(result.peakRssBytes)})`);
    }
  }
  return new Map(MODES.map((m) => [m, summarize(m, runs.get(m)!)]));
}

const tokensPerSecond = (s: ModeSummary, ms: number): number => s.tokensPerPass / (ms / 1000);

/** Runs section 1 on every model and returns its report. */
export async function measureEvalThroughput(options: EvalThroughputOptions): Promise<SectionReport> {
  const rows: string[][] = [];
  const ratioRows: string[][] = [];
  const goals: GoalCheck[] = [];
  const notes: string[] = [];
  for (const model of options.models) {
    options.onLog(`section 1: ${model.name}`);
    const summaries = await measureModel(model, options);
    const get = (mode: EvalMode): ModeSummary => summaries.get(mode)!;
    for (const mode of MODES) {
      const s = get(mode);
      const b = s.breakdown;
      rows.push([
        model.name,
        MODE_LABELS[mode],
        tokensPerSecond(s, s.bestMs).toFixed(0),
        tokensPerSecond(s, s.medianMs).toFixed(0),
        tokensPerSecond(s, s.bestCpuMs).toFixed(0),
        formatMiB(s.peakRssBytes),
        `${formatDuration(b.feedMs)} / ${formatDuration(b.runMs)} / ${formatDuration(b.jsMs)}`,
        s.meanLoss === null ? '—' : s.meanLoss.toFixed(6),
      ]);
    }
    const ours = get('invarlock');
    const ratio = (other: EvalMode, pick: (s: ModeSummary) => number): number => pick(get(other)) / pick(ours);
    const wallVsOrt = ratio('ort-logits', (s) => s.bestMs);
    const wallVsTjs = ratio('tjs-style', (s) => s.bestMs);
    ratioRows.push([
      model.name,
      `${formatRatio(wallVsOrt)}× (CPU ${formatRatio(ratio('ort-logits', (s) => s.bestCpuMs))}×)`,
      `${formatRatio(wallVsTjs)}× (CPU ${formatRatio(ratio('tjs-style', (s) => s.bestCpuMs))}×)`,
      `${formatRatio(ratio('js-tuned', (s) => s.bestMs))}× (CPU ${formatRatio(ratio('js-tuned', (s) => s.bestCpuMs))}×)`,
      `${formatRatio(ours.peakRssBytes / get('ort-logits').peakRssBytes)}×`,
    ]);
    goals.push(judgeRatio(1, `invarlock vs raw ORT logits, ${model.name}`, wallVsOrt, { kind: 'at-least', limit: 0.95 }));
    goals.push(judgeRatio(1, `invarlock vs transformers.js-style, ${model.name}`, wallVsTjs, { kind: 'at-least', limit: 3 }));
    const losses = MODES.map((m) => get(m).meanLoss).filter((l): l is number => l !== null);
    notes.push(
      `${model.name}: the three modes that compute a loss agree to ${(Math.max(...losses) - Math.min(...losses)).toExponential(1)} nats (mean NLL ${losses[0]!.toFixed(4)}); ` +
        `${get('invarlock').samples} timed passes per mode.`,
    );
  }
  notes.unshift(
    `${options.windows} windows × ${options.seqLen} tokens (${options.windows * options.seqLen} tokens per pass) of WikiText-2 validation text, batch size ${options.batchSize}, ` +
      `CPU execution provider, intra-op threads ${options.threads === 0 ? 'onnxruntime default' : options.threads}; ${options.rounds} rounds, modes interleaved; tokens/s from the fastest pass (median and per CPU-second alongside).`,
    'Ratios are invarlock throughput ÷ the other mode\'s (> 1: invarlock faster), from wall time, with the same ratio from process CPU time in parentheses.',
    'Phases (fastest pass): JS feed building / everything in `session.run` (for the scorer: the rest of `scoreCausal`) / JS work on the outputs. The scorer\'s feed time is measured by rebuilding its feeds outside the timed call exactly as scorer.ts does.',
  );
  return {
    section: 1,
    title: 'Evaluation throughput',
    tables: [
      { title: 'Tokens per second by mode', header: ['model', 'mode', 'tok/s (best)', 'tok/s (median)', 'tok/CPU-s', 'peak RSS', 'feed / run / JS', 'mean NLL'], rows },
      { title: 'Ratios (invarlock ÷ other)', header: ['model', 'vs raw ORT logits (goal ≥ 0.95×)', 'vs transformers.js-style (goal ≥ 3×)', 'vs fused JS', 'peak RSS invarlock ÷ raw ORT'], rows: ratioRows },
    ],
    goals,
    notes,
  };
}
