import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CONFIG_DEFAULTS } from '../core/index.js';
import type { ActionIO } from './action-io.js';
import { STATE } from './action-io.js';
import type { AnnotationSources } from './publish/annotations.js';
import { uploadOutputs, type ArtifactUploader, type UploadedArtifacts } from './publish/artifact-upload.js';
import type { CacheBackend } from './evaluate/baseline-cache.js';
import { readCertificateFile } from './evaluate/certificate-intake.js';
import { startCheckRun } from './publish/check-run.js';
import { locateConfigKeys, locateWorkflowInputs } from './inputs/config-locations.js';
import { readRunContext } from './inputs/context.js';
import { fitMarkdownToBytes } from './publish/byte-budget.js';
import { BUDGETS, DEFAULTS, DOCS_LINKS, MAX_UNTRUSTED_CERT_BYTES } from './inputs/defaults.js';
import { evaluateRun, toRunError } from './evaluate/evaluate.js';
import { junitXmlOf } from './publish/report-door.js';
import type { GitHubApi, GitHubApiOptions } from './publish/github-client.js';
import { parseInputs, type InputReader } from './inputs/inputs.js';
import { escapeMarkdown } from './publish/markdown-compose.js';
import type { RunError, RunFacts, RunOutcome } from './evaluate/outcome.js';
import { buildPlan, type BuiltPlan } from './inputs/plan.js';
import { createLiveCheckRun, ProgressRenderer, type ProgressSnapshot } from './launch/progress.js';
import { publishOutcome, writeOutputs, type PublishResult, type PublishTargets } from './publish/publish.js';
import { checkRequiredSignature } from './signing/required-signature.js';
import { signOwnCertificate } from './signing/sign-own-certificate.js';
import type { ProcessRunner } from './launch/spawn-process.js';
import type { ActionEvent, ActionEventSink, ActionInputs, CertificateReader, RunContext } from './types.js';
import { checkOutputDirInWorkspace, inertLogLines, newStopToken, secretParts, tokenProblem } from './launch/untrusted-text.js';

/** Everything the Action touches outside itself; `main.ts` wires the real ones. */
export interface ActionDeps {
  readonly io: ActionIO;
  readonly reader: InputReader;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Root of the Action's checkout (action.yml, dist/, package-lock.json, runtime-images/). */
  readonly actionRoot: string;
  readonly run: ProcessRunner;
  readonly cache: CacheBackend;
  readonly certificateReader: CertificateReader;
  readonly createApi: (options: GitHubApiOptions) => GitHubApi;
  readonly now: () => Date;
  /** The runner's Node binary (`process.execPath`). */
  readonly node: string;
  readonly user: { readonly uid: number; readonly gid: number } | null;
  readonly signal?: AbortSignal;
  /** Uploads `upload-artifact: true` files; absent: the upload is skipped with a notice. */
  readonly artifacts?: ArtifactUploader;
  /** Least time between progress updates of the in-progress check run. @default 30000 */
  readonly progressIntervalMs?: number;
}

/**
 * Maps run events to the log: the Action's own steps and the CLI's stages become collapsible
 * groups, scoring shows windows done and an ETA; `onProgress` sees each CLI event's snapshot.
 */
export function logEvents(io: ActionIO, onProgress?: (snapshot: ProgressSnapshot) => void, renderer: ProgressRenderer = new ProgressRenderer(io)): ActionEventSink {
  // Relayed CLI lines are PR-controlled text: they may not start workflow commands (#13).
  const stopToken = newStopToken();
  return (event: ActionEvent) => {
    switch (event.type) {
      case 'run-event': {
        renderer.handle(event.event);
        const snapshot = renderer.snapshot();
        if (snapshot !== null) onProgress?.(snapshot);
        break;
      }
      case 'stage-start':
        io.startGroup(event.stage);
        break;
      case 'stage-end':
        io.info(`${event.stage}: ${(event.durationMs / 1000).toFixed(1)} s`);
        io.endGroup();
        break;
      case 'log':
        for (const line of inertLogLines(event.line, stopToken)) io.info(line);
        break;
      case 'notice':
        io.notice(event.message);
        break;
      case 'warning':
        io.warning(event.message);
        break;
      default: {
        const unreachable: never = event;
        io.info(JSON.stringify(unreachable));
      }
    }
  };
}

/** The JUnit XML the Action writes beside the certificate. */
export const JUNIT_FILE = 'invarlock-junit.xml';

const FORK_DETAIL = [
  'This pull request comes from a fork: its code is untrusted and its token is read-only, so InvarLock did not evaluate it on this runner.',
  '',
  `To certify fork PRs safely, use the [two-workflow recipe](${DOCS_LINKS.forkPullRequests}): a \`pull_request\` workflow that runs on a runner you accept for untrusted code (\`fork-policy: run\`) and uploads the output directory as an artifact, and a \`workflow_run\` workflow that verifies that certificate and publishes it (\`certificate:\` + \`head-sha:\`). Until then this check is \`action_required\`, so a required check does not let the unverified model merge.`,
].join('\n');

async function readTextOrNull(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

function repoRelative(workspace: string, path: string): string | null {
  const rel = relative(workspace, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : rel.split('\\').join('/');
}

async function annotationSources(ctx: RunContext, inputs: ActionInputs, built: BuiltPlan | null, configText: string | null): Promise<AnnotationSources> {
  const workflowText = ctx.workflowPath === null ? null : await readTextOrNull(`${ctx.workspace}/${ctx.workflowPath}`);
  return {
    configPath: inputs.plan.config === null ? null : repoRelative(ctx.workspace, inputs.plan.config),
    configLocations: configText === null ? new Map() : locateConfigKeys(configText),
    workflowPath: workflowText === null ? null : ctx.workflowPath,
    workflowLocations: workflowText === null ? new Map() : locateWorkflowInputs(workflowText),
    fromInputs: built?.fromInputs ?? new Set(),
  };
}

async function commentTarget(api: GitHubApi | null, inputs: ActionInputs, ctx: RunContext, headSha: string, notices: string[]): Promise<number | null> {
  if (api === null) return null;
  if (inputs.mode.kind !== 'publish') return ctx.pullRequest?.origin === 'same-repo' ? ctx.pullRequest.number : null;
  const number = inputs.mode.pullRequest ?? ctx.workflowRun?.pullRequest ?? null;
  if (number === null) return null;
  // The PR number may come from an untrusted artifact: only comment where the PR head is the certified commit.
  const pull = await api.getPullRequest(number);
  if (!pull.ok) {
    notices.push(`cannot read PR #${number} (${pull.status}); no comment`);
    return null;
  }
  if (pull.value.headSha !== headSha) {
    notices.push(`PR #${number} is at ${pull.value.headSha.slice(0, 7)}, not the certified ${headSha.slice(0, 7)}; no comment`);
    return null;
  }
  return number;
}

/**
 * A run that stops at its inputs still completes a check run, so a required check does not wait
 * forever (#13): created `completed` with conclusion `action_required` and the problems. Needs a usable
 * token and the repository; skipped on fork PRs (read-only token). Publishing failures only log.
 */
async function postInputErrorCheck(deps: ActionDeps, ctx: RunContext | null, token: string, error: RunError, problems: readonly string[], onEvent: ActionEventSink): Promise<string | null> {
  const repository = deps.env['GITHUB_REPOSITORY'] ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  const headSha = ctx?.headSha ?? deps.env['GITHUB_SHA'] ?? '';
  if (token === '' || owner === '' || repo === '' || !/^[0-9a-f]{40}$/.test(headSha) || ctx?.pullRequest?.origin === 'fork') return null;
  const apiUrl = ctx?.apiUrl ?? (deps.env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/+$/, '');
  const name = deps.reader.get('check-name').trim().slice(0, 200) || DEFAULTS['check-name'];
  const api = deps.createApi({ token, baseUrl: apiUrl, owner, repo, onEvent });
  const summary = [
    `InvarLock stopped before evaluating: **${error.code}**. This is not a verdict on the model: fix the workflow and re-run.`,
    '',
    escapeMarkdown(error.message),
    '',
    ...problems.slice(0, 50).map((p) => `- ${escapeMarkdown(p)}`),
    '',
    `[Inputs](${DOCS_LINKS.inputs})${ctx === null ? '' : ` · [Workflow run](${ctx.runUrl})`}`,
  ].join('\n');
  const result = await api.createCheckRun({
    name,
    head_sha: headSha,
    status: 'completed',
    // Not a verdict on the model: the workflow needs fixing, and a required check must not pass.
    conclusion: 'action_required',
    completed_at: deps.now().toISOString(),
    ...(ctx === null ? {} : { details_url: ctx.runUrl, external_id: ctx.jobKey }),
    output: { title: `ERROR · ${error.code}: ${error.message}`.slice(0, 255), summary: fitMarkdownToBytes(summary, BUDGETS.checkOutputBytes).text },
  });
  if (result.ok) {
    deps.io.saveState(STATE.checkRunId, String(result.value.id));
    deps.io.saveState(STATE.checkRunDone, 'true');
    return result.value.htmlUrl;
  }
  onEvent({ type: 'notice', id: 'publishing-degraded', message: `no check run for the input error (${result.status})` });
  return null;
}

/** Result of {@link runAction}. */
export interface ActionRunResult {
  readonly publish: PublishResult | null;
  readonly outcome: RunOutcome | null;
}

/**
 * The Action: inputs → context → (fork gate) → check run started → evaluate, aggregate or read the
 * given certificate → verify → publish → step result. Inputs become one validated record before
 * any work; the token is masked before the first log line.
 */
export async function runAction(deps: ActionDeps): Promise<ActionRunResult> {
  const started = Date.now();
  const { io } = deps;
  const rawToken = deps.reader.get('github-token');
  // Every line masked, before anything is logged: the runner masks line by line (#13).
  for (const part of secretParts(rawToken)) io.setSecret(part);
  const token = tokenProblem(rawToken) === null ? rawToken.trim() : '';
  const renderer = new ProgressRenderer(io);
  let live: ReturnType<typeof createLiveCheckRun> | null = null;
  const onEvent = logEvents(io, (snapshot) => live?.offer(snapshot), renderer);
  let ctx: RunContext | null = null;
  let inputs: ActionInputs;
  try {
    ctx = readRunContext({ env: deps.env, cwd: deps.cwd });
    inputs = parseInputs({ reader: deps.reader, workspace: ctx.workspace });
  } catch (error) {
    const e = toRunError(error);
    const problems = error instanceof Error && 'details' in error && typeof error.details === 'object' && error.details !== null && 'problems' in error.details && Array.isArray(error.details.problems) ? error.details.problems.map(String) : [];
    await io.appendSummary(`## 🛑 ERROR · ${e.code}\n\n${escapeMarkdown(e.message)}\n\n${problems.map((p) => `- ${escapeMarkdown(p)}`).join('\n')}\n`).catch(() => undefined);
    io.setOutput('verdict', 'error');
    io.setOutput('output-dir', resolve(ctx?.workspace ?? deps.env['GITHUB_WORKSPACE'] ?? deps.cwd, DEFAULTS['output-dir']));
    const url = await postInputErrorCheck(deps, ctx, token, e, problems, onEvent).catch(() => null);
    io.setFailed(`${e.code}: ${e.message}${problems.length > 1 ? `\n${problems.join('\n')}` : ''}`);
    io.info(verdictLine(null, url));
    return { publish: null, outcome: null };
  }
  io.saveState(STATE.jobKey, ctx.jobKey);
  io.saveState(STATE.isPost, 'true');

  const notices: string[] = [];
  let built: BuiltPlan | null = null;
  let configText: string | null = null;
  let planError: RunOutcome | null = null;
  if (inputs.mode.kind !== 'publish' && inputs.plan.config !== null) {
    configText = await readTextOrNull(inputs.plan.config);
    if (configText === null) {
      planError = { kind: 'error', error: { code: 'E_FILE_NOT_FOUND', message: `config file ${inputs.plan.config} cannot be read`, hint: null, field: null, kind: 'other' }, files: null };
    }
  }
  if (inputs.mode.kind !== 'publish') {
    await checkOutputDirInWorkspace(inputs.publishing.outputDir, ctx.workspace).catch((error: unknown) => {
      planError = { kind: 'error', error: toRunError(error), files: null };
    });
  }
  if (inputs.mode.kind === 'evaluate' && planError === null) {
    try {
      built = buildPlan({ inputs: inputs.plan, network: inputs.execution.network, configText, source: inputs.plan.config === null ? 'Action inputs' : (repoRelative(ctx.workspace, inputs.plan.config) ?? inputs.plan.config) });
    } catch (error) {
      planError = { kind: 'error', error: toRunError(error), files: null };
    }
  }

  const isFork = ctx.pullRequest?.origin === 'fork' && inputs.mode.kind !== 'publish';
  const forkSkipped = isFork && inputs.execution.forkPolicy === 'skip' && planError === null;
  const isShard = built?.file.shard !== undefined;
  const headSha = inputs.mode.kind === 'publish' ? inputs.mode.headSha : ctx.headSha;
  // A skipped fork PR still tries to leave a completed check run that says why (it works where the
  // repository gives fork PRs a write token; a read-only token gets a notice), so a required check
  // does not wait forever. A fork PR that is evaluated publishes nothing: its code is untrusted.
  const api = token !== '' && (!isFork || forkSkipped) ? deps.createApi({ token, baseUrl: ctx.apiUrl, owner: ctx.owner, repo: ctx.repo, onEvent }) : null;

  let checkRun: PublishTargets['checkRun'];
  if (api === null) checkRun = { kind: 'none', reason: isFork ? 'fork pull request (read-only token)' : 'no github-token' };
  else if (forkSkipped) checkRun = { kind: 'complete', id: null };
  else if (isShard) checkRun = { kind: 'none', reason: 'shard job: the aggregate job publishes the check run' };
  else {
    const start = await startCheckRun(api, {
      name: inputs.publishing.checkName,
      headSha,
      detailsUrl: ctx.runUrl,
      externalId: ctx.jobKey,
      title: 'Certifying…',
      summary: `InvarLock is ${inputs.mode.kind === 'publish' ? 'verifying a certificate' : 'evaluating'}; see the [workflow run](${ctx.runUrl}).`,
      startedAt: deps.now().toISOString(),
    });
    if (start.ok) {
      io.saveState(STATE.checkRunId, String(start.value.id));
      checkRun = { kind: 'complete', id: start.value.id };
      const id = start.value.id;
      live = createLiveCheckRun({
        update: (title, summary) => api.updateCheckRun(id, { status: 'in_progress', output: { title, summary } }),
        runUrl: ctx.runUrl,
        ...(deps.progressIntervalMs === undefined ? {} : { intervalMs: deps.progressIntervalMs }),
      });
    } else if (start.status === 403 || start.status === 404) {
      notices.push(`no check run: the token lacks checks: write (${start.status}); the job summary has the result`);
      checkRun = { kind: 'none', reason: 'no checks: write permission' };
    } else {
      notices.push(`check run could not be started (${start.status}); retrying at the end`);
      checkRun = { kind: 'complete', id: null };
    }
  }
  for (const notice of notices) onEvent({ type: 'notice', id: 'publishing-degraded', message: notice });

  let outcome: RunOutcome;
  let signaturePath: string | null = null;
  let facts: Omit<RunFacts, 'durationMs'> = { mode: inputs.mode.kind === 'publish' ? 'publish' : inputs.mode.kind === 'aggregate' ? 'aggregate' : inputs.execution.mode, image: null, imageDigest: null, cache: 'not-applicable', notices: [] };
  const mode = inputs.mode;
  if (planError !== null) {
    outcome = planError;
  } else if (mode.kind === 'publish') {
    try {
      // The repository's configured tier and profile decide, never the certificate's own.
      const policy = { kind: 'configured' as const, tier: inputs.plan.tier ?? CONFIG_DEFAULTS.tier, profile: inputs.plan.profile ?? CONFIG_DEFAULTS.profile };
      const intake = await readCertificateFile(mode.certificatePath, { reader: deps.certificateReader, trust: 'untrusted', policy, maxBytes: MAX_UNTRUSTED_CERT_BYTES });
      outcome = { kind: 'certified', certificate: intake.certificate, files: intake.files };
      if (inputs.signing.require) {
        const signed = await checkRequiredSignature(mode.certificatePath, intake.files.certificateSha256, inputs.signing);
        if (signed.ok) {
          onEvent({ type: 'log', line: `signature: ${signed.message}` });
          signaturePath = signed.bundlePath;
        } else outcome = { kind: 'error', error: signed.error, files: null };
      }
    } catch (error) {
      outcome = { kind: 'error', error: toRunError(error), files: null };
    }
  } else if (isFork && inputs.execution.forkPolicy === 'skip') {
    outcome = { kind: 'skipped', reason: 'fork pull request', detail: FORK_DETAIL, conclusion: 'action_required' };
  } else {
    let dockerUsed = false;
    const result = await evaluateRun(
      {
        env: deps.env,
        actionRoot: deps.actionRoot,
        run: deps.run,
        cache: deps.cache,
        certificateReader: deps.certificateReader,
        node: deps.node,
        user: deps.user,
        onEvent,
        ...(deps.signal === undefined ? {} : { signal: deps.signal }),
        onDockerUse: () => {
          if (!dockerUsed) io.saveState(STATE.dockerUsed, 'true');
          dockerUsed = true;
        },
      },
      inputs,
      ctx,
      built,
    ).catch((error: unknown) => ({ outcome: { kind: 'error' as const, error: toRunError(error), files: null }, facts }));
    outcome = result.outcome;
    facts = result.facts;
    // Keyless signing needs `id-token: write`; without it, or when it fails, the certificate stands unsigned.
    if (outcome.kind === 'certified') signaturePath = await signOwnCertificate(outcome.files.certificatePath, { env: deps.env, io, onEvent, signing: inputs.signing });
  }
  renderer.finish();
  await live?.flush();

  let junitPath: string | null = null;
  if (outcome.kind === 'certified') {
    // Beside the certificate (and so in the artifact): test-report tools show one case per gate.
    const path = join(inputs.publishing.outputDir, JUNIT_FILE);
    junitPath = await mkdir(inputs.publishing.outputDir, { recursive: true }).then(() => writeFile(path, junitXmlOf(outcome.certificate.view))).then(() => path, (error: unknown) => {
      notices.push(`JUnit XML not written: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
  }
  let uploads: UploadedArtifacts | null = null;
  if (inputs.publishing.uploadArtifact === 'upload' && (outcome.kind === 'certified' || outcome.kind === 'error' || outcome.kind === 'partial')) {
    if (deps.artifacts === undefined) notices.push('upload-artifact: no artifact client here; nothing uploaded');
    else {
      uploads = await uploadOutputs(deps.artifacts, { outputDir: inputs.publishing.outputDir, ctx });
      notices.push(...uploads.notices);
      if (uploads.artifactUrl !== null) io.info(`artifact: ${uploads.artifactUrl}`);
    }
  }
  const pullRequest = await commentTarget(api, inputs, ctx, headSha, notices);
  const publish = await publishOutcome({
    io,
    api,
    inputs,
    ctx,
    outcome,
    facts: { ...facts, notices: [...facts.notices, ...notices], durationMs: Date.now() - started },
    targets: { headSha, checkRun, pullRequest, annotationSources: await annotationSources(ctx, inputs, built, configText), ...(uploads === null ? {} : { uploads }) },
    now: deps.now,
    onEvent,
  }).catch((error: unknown) => {
    // Publishing must never lose the verdict: fall back to outputs and a log line.
    const e = toRunError(error);
    io.warning(`publishing failed: ${e.code}: ${e.message}`);
    return null;
  });
  if (publish === null) {
    writeOutputs(io, {
      verdict: outcome.kind === 'certified' ? outcome.certificate.view.verdict : outcome.kind === 'error' ? 'error' : 'skipped',
      ratio: null, ratioCiLow: null, ratioCiHigh: null,
      certificatePath: outcome.kind === 'certified' ? outcome.files.certificatePath : null,
      certificateSha256: outcome.kind === 'certified' ? outcome.files.certificateSha256 : null,
      reportPath: null, checkRunId: null, checkRunUrl: null, commentUrl: null, imageDigest: facts.imageDigest, outputDir: inputs.publishing.outputDir,
    });
  }
  io.setOutput('signature-path', signaturePath ?? '');
  if (publish?.stepFailed === true) {
    const what = outcome.kind === 'certified' ? outcome.certificate.view.headline : outcome.kind === 'error' ? `${outcome.error.code}: ${outcome.error.message}` : 'skipped';
    io.setFailed(`InvarLock ${publish.conclusion ?? ''}: ${what}`);
  } else if (publish === null && outcome.kind === 'error' && inputs.publishing.stepFailure === 'on-blocking') {
    io.setFailed(`InvarLock error: ${outcome.error.code}: ${outcome.error.message}`);
  }
  io.setOutput('junit-path', junitPath ?? '');
  io.info(verdictLine(outcome, publish?.outputs.checkRunUrl ?? null));
  return { publish, outcome };
}

/** The last line of every run's log: the verdict in capitals, why, and where the check run is. */
export function verdictLine(outcome: RunOutcome | null, checkRunUrl: string | null): string {
  // One line whatever the messages hold: a line break in PR-controlled text (a path, a provider)
  // would otherwise start a line the runner reads as a workflow command (#13).
  return verdictText(outcome, checkRunUrl).replace(/[\r\n\u2028\u2029]+/g, ' ');
}

function verdictText(outcome: RunOutcome | null, checkRunUrl: string | null): string {
  const where = checkRunUrl === null ? '' : ` (check run: ${checkRunUrl})`;
  if (outcome === null) return 'InvarLock verdict: ERROR · the inputs are invalid (see the job summary)';
  switch (outcome.kind) {
    case 'certified':
      return `InvarLock verdict: ${outcome.certificate.view.headline}${where}`;
    case 'error':
      return `InvarLock verdict: ERROR · ${outcome.error.code}: ${outcome.error.message}${where}`;
    case 'skipped':
      return `InvarLock verdict: SKIPPED · ${outcome.reason}${where}`;
    case 'partial':
      return `InvarLock verdict: SKIPPED · shard ${outcome.shard.index + 1}/${outcome.shard.count} evaluated; the aggregate job decides`;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}
