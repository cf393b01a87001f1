import { access, constants, mkdir, realpath, stat, writeFile, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { certify, loadConfigFile, mergeConfig, parseConfigText, resolveRunConfig, shardPartialFileName, type RunConfigFile } from '../../core/index.js';
import { InvarlockError, isPathInside, readUntrustedText, UNTRUSTED_FILE_LIMITS } from '../../errors/index.js';
import { junitSuiteOf, renderHeadline, renderJunitXml, writeReportFiles, type Certificate } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';
import { openEventStream } from '../output/event-stream.js';
import { createProgressReporter } from '../output/progress-reporter.js';
import { homedir } from 'node:os';
import { hubCacheDirFromEnv, hubUrlFromEnv } from '../../hub/index.js';

/** Flags of `invarlock certify`, as commander parses them. */
export interface CertifyFlags {
  readonly config?: string;
  readonly baseline?: string;
  readonly subject?: readonly string[];
  readonly subjectLora?: readonly string[];
  readonly edit?: string;
  readonly editConfig?: string;
  readonly adapter?: string;
  readonly profile?: string;
  readonly tier?: string;
  readonly metric?: string;
  readonly dataset?: string;
  readonly datasetPath?: string;
  readonly seqLen?: string;
  readonly stride?: string;
  readonly previewN?: string;
  readonly finalN?: string;
  readonly seed?: string;
  readonly batchSize?: string;
  readonly device?: string;
  readonly threads?: string;
  readonly maxMemory?: string;
  readonly allowNetwork?: boolean;
  readonly cacheDir?: string;
  readonly baselineEval?: string;
  readonly out?: string;
  readonly shard?: string;
  readonly sequential?: string;
  readonly events?: string;
  readonly junit?: string;
  readonly json?: boolean;
}

/** Hub endpoint (`HF_ENDPOINT`) and token (`HF_TOKEN`) from the environment, for downloads when allowed. */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv): { hubUrl: string; accessToken?: string } {
  const token = env.HF_TOKEN;
  return { hubUrl: hubUrlFromEnv(env), ...(token === undefined || token === '' ? {} : { accessToken: token }) };
}

/** Exit code of a set of verdicts: error 3 before fail 1 before pass/warn 0. */
export function exitCodeOf(verdicts: readonly Certificate['verdict']['status'][]): 0 | 1 | 3 {
  if (verdicts.includes('error')) return 3;
  if (verdicts.includes('fail')) return 1;
  return 0;
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InvarlockError('E_USAGE', `--${name} expects a non-negative integer, got '${value}'`, { details: { field: name } });
  return Number(value);
}

async function editConfigOf(value: string | undefined, cwd: string): Promise<Record<string, unknown> | undefined> {
  if (value === undefined) return undefined;
  const text = value.trim().startsWith('{') ? value : await readUntrustedText(resolve(cwd, value), { what: '--edit-config file', maxBytes: UNTRUSTED_FILE_LIMITS.configBytes });
  const parsed = parseConfigText(text, '--edit-config');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvarlockError('E_EDIT_CONFIG', '--edit-config must be a JSON/YAML object', { details: { field: 'edit.config' } });
  }
  return parsed as Record<string, unknown>;
}

/** The config record the flags describe (only the flags given), to lay over the config file. */
export async function flagsToConfig(flags: CertifyFlags, cwd: string): Promise<Partial<RunConfigFile>> {
  const dataset = {
    ...(flags.dataset === undefined ? {} : { provider: flags.dataset }),
    ...(flags.datasetPath === undefined ? {} : { path: flags.datasetPath }),
    ...(flags.seqLen === undefined ? {} : { seq_len: integer('seq-len', flags.seqLen) }),
    ...(flags.stride === undefined ? {} : { stride: integer('stride', flags.stride) }),
    ...(flags.previewN === undefined ? {} : { preview_n: integer('preview-n', flags.previewN) }),
    ...(flags.finalN === undefined ? {} : { final_n: integer('final-n', flags.finalN) }),
  };
  const editConfig = await editConfigOf(flags.editConfig, cwd);
  const record: Record<string, unknown> = {
    ...(flags.baseline === undefined ? {} : { baseline: flags.baseline }),
    ...(flags.subject === undefined || flags.subject.length === 0 ? {} : { subjects: flags.subject.map((model) => ({ model })) }),
    ...(flags.subjectLora === undefined || flags.subjectLora.length === 0 ? {} : { subject_lora: flags.subjectLora.map((path) => ({ path })) }),
    ...(flags.edit === undefined ? {} : { edit: { name: flags.edit, ...(editConfig === undefined ? {} : { config: editConfig }) } }),
    ...(flags.adapter === undefined ? {} : { adapter: flags.adapter }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags.tier === undefined ? {} : { tier: flags.tier }),
    ...(flags.metric === undefined ? {} : { metric: flags.metric }),
    ...(Object.keys(dataset).length === 0 ? {} : { dataset }),
    ...(flags.seed === undefined ? {} : { seed: integer('seed', flags.seed) }),
    ...(flags.batchSize === undefined ? {} : { batch_size: flags.batchSize === 'auto' ? 'auto' : integer('batch-size', flags.batchSize) }),
    ...(flags.device === undefined ? {} : { device: flags.device }),
    ...(flags.threads === undefined ? {} : { threads: integer('threads', flags.threads) }),
    ...(flags.maxMemory === undefined ? {} : { max_memory: /^\d+$/.test(flags.maxMemory) ? Number(flags.maxMemory) : flags.maxMemory }),
    ...(flags.allowNetwork === true ? { allow_network: true } : {}),
    ...(flags.cacheDir === undefined ? {} : { cache_dir: flags.cacheDir }),
    ...(flags.baselineEval === undefined ? {} : { baseline_eval: flags.baselineEval }),
    ...(flags.out === undefined ? {} : { output_dir: flags.out }),
    ...(flags.shard === undefined ? {} : { shard: shardOf(flags.shard) }),
    ...(flags.sequential === undefined ? {} : { sequential: { looks: integer('sequential', flags.sequential) } }),
  };
  if (editConfig !== undefined && flags.edit === undefined) {
    throw new InvarlockError('E_USAGE', '--edit-config needs --edit', { details: { field: 'edit-config' } });
  }
  return record as Partial<RunConfigFile>;
}

/** `i/n` (1-based, as the Action spells it) → the config's 0-based shard. */
function shardOf(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const i = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (match === null || i < 1 || i > n) throw new InvarlockError('E_USAGE', `--shard expects i/n with 1 ≤ i ≤ n, got '${value}'`, { details: { field: 'shard' } });
  return { index: i - 1, count: n };
}

/** A directory name for a subject label (several subjects write one folder each). */
function slug(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'subject';
}

/** Kernel and device trees: writing results there is never meant (and /proc writes can block). */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Makes sure `outDir` can take the results before anything is evaluated (#13: an existing file as
 * --out used to fail after the whole run). Throws `E_OUTPUT_PATH` (exit 2).
 */
export async function prepareOutputDir(outDir: string): Promise<void> {
  const refuse = (why: string, cause?: unknown): never => {
    throw new InvarlockError('E_OUTPUT_PATH', `output directory ${outDir} ${why}`, { details: { file: outDir, field: 'out' }, ...(cause === undefined ? {} : { cause }) });
  };
  if (outDir.includes('\0')) refuse('contains a NUL byte');
  const real = await realpath(outDir).catch(() => outDir);
  if (SYSTEM_ROOTS.some((root) => isPathInside(root, real))) refuse('lies under a system directory (/proc, /sys, /dev)');
  const info = await stat(outDir).catch(() => null);
  if (info !== null && !info.isDirectory()) refuse('exists and is not a directory');
  // Nothing is created yet (a run that fails on its inputs leaves no folder): the nearest existing
  // ancestor must be a writable directory.
  let existing = outDir;
  let existingInfo = info;
  while (existingInfo === null && dirname(existing) !== existing) {
    existing = dirname(existing);
    existingInfo = await stat(existing).catch(() => null);
  }
  if (existingInfo === null || !existingInfo.isDirectory()) refuse(`cannot be created: ${existing} is not a directory`);
  await access(existing, constants.W_OK).catch((error: unknown) => refuse(`cannot be created: ${existing} is not writable`, error));
}

/** `--junit FILE`: one test suite per certificate, one test case per gate. */
export async function writeJunit(path: string, certificates: readonly Certificate[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderJunitXml(certificates.map(junitSuiteOf)));
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value)}\n`);
  await rename(tmp, path);
}

/**
 * `invarlock certify`: builds the run config (file, then flags), runs the pipeline, writes each
 * subject's certificate, markdown and HTML (one subject: straight into `--out`; several: one folder
 * per subject) and the baseline evaluation, prints the headlines (or `--json`), and returns the exit
 * code: 0 pass/warn, 1 a gate failed, 3 a subject ended in error.
 */
export async function runCertify(flags: CertifyFlags, ctx: CliContext): Promise<number> {
  const file: Partial<RunConfigFile> = flags.config === undefined ? {} : await loadConfigFile(resolve(ctx.cwd, flags.config));
  const flagged = await flagsToConfig(flags, ctx.cwd);
  // HF_HOME / HF_HUB_CACHE decide the cache when neither the file nor a flag does (the env is read here, in the CLI)
  const cacheDefault = file.cache_dir === undefined && flagged.cache_dir === undefined ? { cache_dir: hubCacheDirFromEnv(ctx.env, homedir()) } : {};
  const merged = mergeConfig(file, { ...flagged, ...cacheDefault }, flags.config ?? 'command line');
  const config = resolveRunConfig(merged, flags.config ?? 'command line');
  const outDir = resolve(ctx.cwd, config.outputDir);
  await prepareOutputDir(outDir);
  const reporter = createProgressReporter(ctx.stderr, ctx.style, flags.json === true ? 'quiet' : ctx.verbosity);
  const stream = flags.events === undefined ? null : openEventStream(flags.events, ctx.cwd, ctx.stderr);
  const onEvent = stream === null ? reporter : (event: Parameters<typeof reporter>[0]) => {
    stream.listener(event);
    reporter(event);
  };
  const run = await certify(config, { cwd: ctx.cwd, onEvent, signal: ctx.signal, ...hubOptionsFromEnv(ctx.env) }).finally(() => stream?.close());
  await mkdir(outDir, { recursive: true });
  if (run.partials.length > 0) {
    // A shard job: partial results for `invarlock aggregate`, no certificate of its own.
    const files: string[] = [];
    for (const partial of run.partials) {
      const path = join(outDir, shardPartialFileName(partial.shard, run.partials.length === 1 ? null : slug(partial.label)));
      await writeJsonAtomic(path, partial);
      files.push(path);
    }
    const shard = run.partials[0]!.shard;
    ctx.stdout.write(flags.json === true ? `${JSON.stringify({ shard, partials: files })}\n` : `shard ${shard.index + 1}/${shard.count}: ${files.join(', ')}\n`);
    return 0;
  }
  const written: { label: string; verdict: string; ratio: number | null; files: Record<string, string | undefined> }[] = [];
  for (const subject of run.subjects) {
    const dir = run.subjects.length === 1 ? outDir : join(outDir, slug(subject.label));
    const files = await writeReportFiles(subject.certificate, dir);
    written.push({ label: subject.label, verdict: subject.certificate.verdict.status, ratio: subject.certificate.primary_metric.ratio, files });
  }
  if (flags.junit !== undefined) await writeJunit(resolve(ctx.cwd, flags.junit), run.subjects.map((s) => s.certificate));
  const baselineEvalPath = run.baselineEvaluation === null ? null : join(outDir, 'baseline-eval.json');
  if (baselineEvalPath !== null) await writeJsonAtomic(baselineEvalPath, run.baselineEvaluation);
  if (flags.json === true) {
    ctx.stdout.write(`${JSON.stringify({ subjects: written, baseline_eval: baselineEvalPath, baseline_eval_key: run.baselineEvaluation?.keyDigest ?? null })}\n`);
  } else {
    for (const [i, subject] of run.subjects.entries()) {
      ctx.stdout.write(`${renderHeadline(subject.certificate)}\n  → ${written[i]!.files.json ?? ''}\n`);
    }
  }
  return exitCodeOf(run.subjects.map((s) => s.certificate.verdict.status));
}
