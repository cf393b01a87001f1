import { execFileSync } from 'node:child_process';
import { existsSync, statfsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel, type LoadedModel } from '../../adapters/index.js';
import { lookSizes, sequentialBoundaries } from '../../stats/index.js';
import { loadConfigFile, mergeConfig, resolvePolicy, coverageShortfall, describeMemoryPlan, formatBytes, parseRunConfigFile, planRunMemory, resolveRunConfig, type RunConfigFile } from '../../core/index.js';
import { DOCTOR_FINDINGS, isInvarlockError, type DoctorFindingCode } from '../../errors/index.js';
import { loadDataset, loadOrt, parseDatasetSpec, probeCudaProviderLibraries, type DeviceRequest } from '../../eval/index.js';
import { homedir } from 'node:os';
import { hubCacheDirFromEnv, resolveModel } from '../../hub/index.js';
import type { CliContext } from '../cli-context.js';
import { flagsToConfig, hubOptionsFromEnv } from './certify-command.js';

/** Flags of `invarlock doctor`. */
export interface DoctorFlags {
  readonly config?: string;
  readonly baseline?: string;
  readonly subject?: readonly string[];
  readonly device?: DeviceRequest;
  readonly profile?: string;
  readonly tier?: string;
  readonly dataset?: string;
  readonly datasetPath?: string;
  readonly seqLen?: string;
  readonly previewN?: string;
  readonly finalN?: string;
  readonly allowNetwork?: boolean;
  readonly cacheDir?: string;
  readonly maxMemory?: string;
  readonly json?: boolean;
}

/** One finding. */
export interface DoctorFinding {
  readonly code: DoctorFindingCode;
  readonly severity: 'error' | 'warning' | 'note';
  readonly message: string;
  readonly field: string | null;
  readonly hint: string | null;
}

/** What `doctor --json` prints. */
export interface DoctorReport {
  readonly format_version: 1;
  readonly summary: { readonly errors: number; readonly warnings: number; readonly notes: number };
  readonly findings: readonly DoctorFinding[];
  /** What was checked, one line each, with the values certify would use (so a clean run says what it covered). */
  readonly checked: readonly string[];
  readonly exit_code: 0 | 1;
}

/** Text characters per token assumed when estimating whether the data suffices (BPE on English prose). */
const CHARS_PER_TOKEN = 3;

function finding(code: DoctorFindingCode, message: string, field: string | null = null, hint: string | null = null): DoctorFinding {
  return { code, severity: DOCTOR_FINDINGS[code].severity, message, field, hint };
}

/** Libraries the CUDA provider links against that the dynamic loader cannot find (via `ldd`). */
function missingCudaDependencies(providerLibrary: string): string[] {
  try {
    const out = execFileSync('ldd', [providerLibrary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out
      .split('\n')
      .filter((line) => line.includes('not found') && !line.includes('libcuda.so'))
      .map((line) => line.trim().split(/\s+/)[0] ?? line.trim());
  } catch {
    return [];
  }
}

async function checkModel(ref: string, field: string, cwd: string, allowNetwork: boolean, findings: DoctorFinding[], checked: string[]): Promise<LoadedModel | null> {
  try {
    const resolved = await resolveModel(ref, { cwd, network: allowNetwork ? 'allow' : 'deny' });
    const model = await loadModel(resolved, { tokenizer: 'required' });
    const size = statSync(model.graph.path).size;
    checked.push(`${field}: ${ref} → ${model.graph.path} (${(size / 2 ** 20).toFixed(1)} MiB, tokenizer ${model.tokenizer === null ? 'none' : 'loaded'})`);
    const free = statfsSync(cwd);
    if (free.bavail * free.bsize < 2 * size) {
      findings.push(finding('D_DISK_LOW', `free disk space ${(free.bavail * free.bsize) >> 20} MiB is below twice ${model.graph.path} (${size >> 20} MiB)`, field));
    }
    return model;
  } catch (error) {
    if (isInvarlockError(error, 'E_NETWORK_DISALLOWED')) {
      findings.push(finding('D_NETWORK_NEEDED', `${ref} is not in the local cache and needs a download`, field, error.hint ?? 'pass --allow-network'));
    } else {
      const code = isInvarlockError(error) ? error.code : 'error';
      findings.push(finding('D_MODEL_UNRESOLVED', `${ref}: ${code}: ${(error as Error).message}`, field, isInvarlockError(error) ? (error.hint ?? null) : null));
    }
    return null;
  }
}

/**
 * Runs the preflight checks and returns the report: Node version, onnxruntime, execution providers
 * (which CUDA library is missing), the config, model references and tokenizers, network policy,
 * dataset presence and size against the planned windows, policy floors and dev relaxations, disk.
 */
export async function diagnose(flags: DoctorFlags, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<DoctorReport> {
  const findings: DoctorFinding[] = [];
  const checked: string[] = [`Node.js ${process.versions.node}`];
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) findings.push(finding('D_NODE_VERSION', `Node.js ${process.versions.node} is older than 20`, null, 'Install Node.js 20 or later (the Action runs on node24).'));
  try {
    await loadOrt();
    checked.push('onnxruntime-node loads');
  } catch (error) {
    findings.push(finding('D_ORT_MISSING', (error as Error).message, null, 'ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node'));
  }
  const cuda = probeCudaProviderLibraries();
  let file: Partial<RunConfigFile> = {};
  if (flags.config !== undefined) {
    try {
      file = await loadConfigFile(resolve(cwd, flags.config));
    } catch (error) {
      findings.push(finding('D_CONFIG_INVALID', (error as Error).message, flags.config));
    }
  }
  if (flags.config !== undefined) checked.push(`config ${flags.config}`);
  const device = flags.device ?? file.device ?? 'auto';
  checked.push(`device ${device}: CUDA provider ${cuda.present ? 'present' : 'absent'}`);
  if (!cuda.present) {
    if (device === 'cuda') {
      findings.push(finding('D_CUDA_UNAVAILABLE', `CUDA requested, but ${cuda.missing.join(', ')} ${cuda.missing.length === 1 ? 'is' : 'are'} missing from ${cuda.dir ?? 'onnxruntime-node'}`, 'device', 'Use the CUDA runtime image, or --device cpu.'));
    } else {
      findings.push(finding('D_CUDA_ABSENT', 'CUDA execution provider libraries are not installed; runs use the CPU', 'device'));
    }
  } else if (cuda.dir !== null) {
    const missing = missingCudaDependencies(join(cuda.dir, 'libonnxruntime_providers_cuda.so'));
    if (missing.length > 0) {
      findings.push(finding(device === 'cuda' ? 'D_CUDA_UNAVAILABLE' : 'D_CUDA_ABSENT', `the CUDA provider cannot load: ${missing.join(', ')} not found`, 'device', 'Put the CUDA and cuDNN libraries on LD_LIBRARY_PATH, or use the runtime image.'));
    }
  }
  const allowNetwork = flags.allowNetwork === true || file.allow_network === true;
  checked.push(`network ${allowNetwork ? 'allowed' : 'denied'}`);
  const baselineRef = flags.baseline ?? file.baseline;
  const subjects = [...(flags.subject ?? []), ...(file.subjects ?? []).map((s) => s.model)];
  const baseline = baselineRef === undefined ? null : await checkModel(baselineRef, 'baseline', cwd, allowNetwork, findings, checked);
  for (const [i, ref] of subjects.entries()) {
    const subject = await checkModel(ref, `subjects[${i}]`, cwd, allowNetwork, findings, checked);
    if (baseline?.tokenizer && subject?.tokenizer && baseline.tokenizer.hash !== subject.tokenizer.hash) {
      findings.push(finding('D_TOKENIZER_DIFFERS', `${ref}'s tokenizer.json differs from the baseline's`, `subjects[${i}]`));
    }
  }
  // The same layering as certify: the file, then the flags given (profile, tier, dataset, windows).
  let merged: Partial<RunConfigFile> | null = null;
  try {
    const { subject: _subject, ...rest } = flags;
    const overrides = await flagsToConfig(rest, cwd);
    // Without a baseline the schema cannot pass; the settings given are still checked.
    merged = baselineRef === undefined ? { ...file, ...overrides, dataset: { ...file.dataset, ...overrides.dataset } } : mergeConfig(file, overrides, flags.config ?? 'command line');
  } catch (error) {
    findings.push(finding('D_CONFIG_INVALID', (error as Error).message, flags.config ?? null));
    merged = null;
  }
  if (baselineRef === undefined) checked.push('baseline: none given (--baseline or a config file), so no model was checked');
  if (baseline !== null && merged !== null) memoryFindings(merged, baseline, findings);
  const tier = merged?.tier ?? 'balanced';
  const profile = merged?.profile ?? 'ci';
  const policy = resolvePolicy({ tier, profile });
  checked.push(`policy: profile ${profile}, tier ${tier} (${policy.windows.preview_n} + ${policy.windows.final_n} windows planned, ${policy.thresholds.bootstrap.replicates} bootstrap replicates)`);
  checked.push(sequentialLine(merged?.sequential?.looks ?? null, policy));
  if (policy.evidence === 'dev') findings.push(finding('D_DEV_PROFILE', 'profile dev: floors informational, certificates say evidence: dev', 'profile'));
  if (policy.thresholds.bootstrap.replicates < 200) findings.push(finding('D_BOOTSTRAP_LOW', `${policy.thresholds.bootstrap.replicates} bootstrap replicates`, 'profile'));
  const coverage = coverageShortfall(policy);
  if (coverage.status === 'short' && coverage.enforcement === 'enforced') {
    findings.push(finding('D_COVERAGE', `${profile} under ${tier}: ${coverage.gaps.map((g) => `${g.floor} ${g.actual} < ${g.required}`).join(', ')}`, 'profile', 'certify raises the window counts to the floors unless preview_n/final_n are set'));
  }
  const provider = merged?.dataset?.provider ?? 'wikitext2';
  try {
    parseDatasetSpec(provider);
    const cacheDir = merged?.cache_dir ?? hubCacheDirFromEnv(env, homedir());
    const hub = hubOptionsFromEnv(env);
    const dataset = await loadDataset(provider, {
      cwd,
      ...(merged?.dataset?.split === undefined ? {} : { split: merged.dataset.split }),
      ...(merged?.dataset?.path === undefined ? {} : { dataPath: merged.dataset.path }),
      network: allowNetwork ? 'allow' : 'deny',
      hubCacheDir: cacheDir,
      hubUrl: hub.hubUrl,
      ...(hub.accessToken === undefined ? {} : { accessToken: hub.accessToken }),
    });
    const chars = dataset.kind === 'documents' ? dataset.documents.reduce((n, d) => n + d.length, 0) : 0;
    const seqLen = merged?.dataset?.seq_len ?? 128;
    const windows = (merged?.dataset?.preview_n ?? policy.windows.preview_n) + (merged?.dataset?.final_n ?? policy.windows.final_n);
    const size = dataset.kind === 'documents' ? `${dataset.documents.length} documents, about ${Math.floor(chars / CHARS_PER_TOKEN)} tokens` : dataset.kind === 'pairs' ? `${dataset.pairs.length} source/target pairs` : `${dataset.examples.length} examples`;
    checked.push(`dataset ${provider} (${dataset.source.file}): ${size} for ${windows} windows of ${seqLen}`);
    if (dataset.kind === 'documents' && chars / CHARS_PER_TOKEN < windows * seqLen) {
      findings.push(finding('D_DATASET_SMALL', `about ${Math.floor(chars / CHARS_PER_TOKEN)} tokens of text for ${windows} windows of ${seqLen}`, 'dataset', 'Give more text, or lower seq_len / preview_n / final_n.'));
    }
  } catch (error) {
    const code = isInvarlockError(error) ? error.code : '';
    const which: DoctorFindingCode = code === 'E_DATASET_UNKNOWN' || code === 'E_DATASET_SPEC' ? 'D_DATASET_UNKNOWN' : 'D_DATASET_MISSING';
    findings.push(finding(which, (error as Error).message, 'dataset.provider', isInvarlockError(error) ? (error.hint ?? null) : null));
  }
  if (merged?.dataset?.path !== undefined && !existsSync(resolve(cwd, merged.dataset.path))) {
    findings.push(finding('D_DATASET_MISSING', `dataset.path ${merged.dataset.path} does not exist`, 'dataset.path'));
  }
  const count = (s: DoctorFinding['severity']) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  return { format_version: 1, summary: { errors, warnings: count('warning'), notes: count('note') }, findings, checked, exit_code: errors > 0 ? 1 : 0 };
}

/** What certify's memory planner would choose for this baseline and budget (a run with no edit or subject plans as an edit). */
function memoryFindings(merged: Partial<RunConfigFile>, baseline: LoadedModel, findings: DoctorFinding[]): void {
  let plan;
  try {
    const withMode = merged.edit === undefined && merged.subjects === undefined && merged.subject_lora === undefined ? { ...merged, edit: { name: 'quant_rtn' } } : merged;
    plan = planRunMemory(resolveRunConfig(parseRunConfigFile(withMode, 'doctor'), 'doctor'), baseline);
  } catch {
    // an invalid configuration is already a D_CONFIG_INVALID finding
    return;
  }
  findings.push(finding('D_MEMORY_PLAN', describeMemoryPlan(plan), 'max_memory'));
  if (!plan.fits) {
    findings.push(finding('D_MEMORY_SHORT', `the run needs about ${formatBytes(plan.minimumBytes)} at batch 1 with one worker; ${plan.budget.source === 'max_memory' ? '--max-memory allows' : 'the machine has free'} ${formatBytes(plan.budget.bytes)}`, 'max_memory', `Give at least ${formatBytes(plan.minimumBytes)}.`));
  }
}

/** `invarlock doctor [--json]`: exit 1 when any finding is an error. */
export async function runDoctor(flags: DoctorFlags, ctx: CliContext): Promise<number> {
  const report = await diagnose(flags, ctx.cwd, ctx.env);
  if (flags.json === true) {
    ctx.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    for (const line of report.checked) ctx.stdout.write(`${ctx.style.dim('checked')} ${line}\n`);
    for (const f of report.findings) {
      const tag = f.severity === 'error' ? ctx.style.red('error') : f.severity === 'warning' ? ctx.style.yellow('warning') : ctx.style.dim('note');
      ctx.stdout.write(`${tag} ${f.code}: ${f.message}${f.hint === null ? '' : `\n  hint: ${f.hint}`}\n`);
    }
    ctx.stdout.write(`${report.summary.errors} error(s), ${report.summary.warnings} warning(s), ${report.summary.notes} note(s)\n`);
  }
  return report.exit_code;
}

/** What sequential looks would do with the planned windows (no data needed); how to estimate windows from data. */
function sequentialLine(looks: number | null, policy: ReturnType<typeof resolvePolicy>): string {
  const finalN = policy.windows.final_n;
  const estimate = 'invarlock plan --from CERT estimates the windows the gate needs from a previous run';
  if (looks === null) return `sequential looks: off (--sequential K stops early once the gate is resolved); ${estimate}`;
  if (finalN < 2 * looks) return `sequential looks: ${looks} need at least ${2 * looks} final windows, ${finalN} planned; ${estimate}`;
  const sizes = lookSizes(finalN, looks);
  const critical = sequentialBoundaries(sizes.map((n) => n / finalN), policy.thresholds.bootstrap.alpha / 2).critical;
  return `sequential looks: ${looks} at ${sizes.join('/')} final windows, critical z ${critical.map((c) => c.toFixed(2)).join('/')}; ${estimate}`;
}
