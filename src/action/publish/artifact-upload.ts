import { copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DefaultArtifactClient } from '@actions/artifact';
import type { RunContext } from '../types.js';
import { withoutEventPayload } from './without-event-payload.js';

/** Uploads files as a workflow-run artifact (the `@actions/artifact` client, or a test double). */
export interface ArtifactUploader {
  /** Resolves to the artifact's id (null when the service returned none). */
  upload(name: string, files: readonly string[], rootDir: string, options: { readonly skipArchive: boolean }): Promise<{ readonly id: number | null }>;
}

/** The real uploader: the Actions artifact service (needs the runner's ACTIONS_RUNTIME_TOKEN). */
export function actionsArtifactUploader(): ArtifactUploader {
  // Loaded on first upload, without the event payload (see without-event-payload.ts).
  let client: Promise<DefaultArtifactClient> | undefined;
  return {
    upload: async (name, files, rootDir, options) => {
      client ??= withoutEventPayload(() => import('@actions/artifact')).then((m) => new m.DefaultArtifactClient());
      const response = await (await client).uploadArtifact(name, [...files], rootDir, { skipArchive: options.skipArchive });
      return { id: response.id ?? null };
    },
  };
}

/** Where the uploads are, and what went wrong (a notice, never a failure). */
export interface UploadedArtifacts {
  /** The artifact with every output file (a zip). */
  readonly artifactUrl: string | null;
  /** `report.html` uploaded on its own without an archive, so the link opens the report. */
  readonly reportUrl: string | null;
  readonly notices: readonly string[];
}

/** The page of artifact `id` of this run (attempt-independent, as GitHub links artifacts). */
export function artifactUrl(ctx: Pick<RunContext, 'serverUrl' | 'owner' | 'repo' | 'runId'>, id: number): string {
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}/artifacts/${id}`;
}

async function regularFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: string[] = [];
  for (const name of names.sort()) {
    // Regular files only: a symlink in the output directory must not upload what it points at.
    const info = await lstat(join(dir, name)).catch(() => null);
    if (info?.isFile() === true) files.push(join(dir, name));
  }
  return files;
}

/**
 * `upload-artifact: true`: uploads the output directory's files as artifact
 * `invarlock-<job key>` and `report.html` alone, unarchived, as `invarlock-report-<job key>.html`
 * (named per job, so matrix jobs do not collide). Failures become notices.
 */
export async function uploadOutputs(uploader: ArtifactUploader, options: { readonly outputDir: string; readonly ctx: RunContext }): Promise<UploadedArtifacts> {
  const { ctx, outputDir } = options;
  const notices: string[] = [];
  const files = await regularFiles(outputDir);
  if (files.length === 0) return { artifactUrl: null, reportUrl: null, notices: [`nothing to upload: ${outputDir} holds no files`] };
  let artifact: string | null = null;
  let report: string | null = null;
  try {
    const uploaded = await uploader.upload(`invarlock-${ctx.jobKey}`, files, outputDir, { skipArchive: false });
    artifact = uploaded.id === null ? null : artifactUrl(ctx, uploaded.id);
  } catch (error) {
    notices.push(`artifact upload failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const html = files.find((f) => f.endsWith('/report.html'));
  if (html !== undefined) {
    try {
      const dir = join(ctx.runnerTemp, `invarlock-${ctx.jobKey}`, 'upload');
      await mkdir(dir, { recursive: true });
      const named = join(dir, `invarlock-report-${ctx.jobKey}.html`);
      await copyFile(html, named);
      const uploaded = await uploader.upload(`invarlock-report-${ctx.jobKey}.html`, [named], dir, { skipArchive: true });
      report = uploaded.id === null ? null : artifactUrl(ctx, uploaded.id);
    } catch (error) {
      notices.push(`report.html upload failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { artifactUrl: artifact, reportUrl: report, notices };
}
