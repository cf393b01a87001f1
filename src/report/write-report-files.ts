import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvarlockError, wrapError } from '../errors/index.js';
import { serializeCertificate } from './certificate/certificate-json.js';
import type { Certificate } from './certificate/certificate-types.js';
import { renderHtml } from './html/render-html.js';
import { renderMarkdown } from './markdown/render-markdown.js';
import type { ReportFormat, WriteReportOptions, WrittenReportFiles } from './types.js';

/** File names of the report formats inside the output directory. */
export const REPORT_FILE_NAMES = {
  json: 'evaluation.cert.json',
  markdown: 'report.md',
  html: 'report.html',
} as const satisfies Record<ReportFormat, string>;

/** Defaults of {@link writeReportFiles}. */
export const WRITE_DEFAULTS = Object.freeze({
  /** @default ['json', 'markdown', 'html'] */
  formats: Object.freeze(['json', 'markdown', 'html'] as const),
});

/**
 * Writes the certificate (`evaluation.cert.json`), the markdown report (`report.md`, the
 * `report` surface, no size limit) and the HTML report (`report.html`) into `outDir`, creating it
 * (and its parents) when missing. Each file is written to a fresh temporary file in the same
 * directory (exclusive create, so an existing file or link there is never followed) and renamed
 * over the target, so readers see the old file or the new one, never a partial one.
 *
 * Returns the absolute path per written format. Throws `E_OUTPUT_PATH` when `outDir` exists and is
 * not a directory, when a target would resolve outside `outDir`, or when writing fails (the
 * filesystem error is the `cause`).
 */
export async function writeReportFiles(cert: Certificate, outDir: string, options: WriteReportOptions = {}): Promise<WrittenReportFiles> {
  const formats = [...new Set(options.formats ?? WRITE_DEFAULTS.formats)];
  const dir = resolve(outDir);
  await ensureDirectory(dir);
  const written: { [F in ReportFormat]?: string } = {};
  // The reports render the certificate as its file holds it (schema key order, open objects such as
  // an edit's config with sorted keys), so `invarlock report evaluation.cert.json` reproduces them byte
  // for byte whatever key order the run built them with.
  const filed = JSON.parse(serializeCertificate(cert)) as Certificate;
  for (const format of formats) {
    const target = resolveInside(dir, REPORT_FILE_NAMES[format]);
    await writeAtomic(target, contentFor(filed, format));
    written[format] = target;
  }
  return written;
}

function contentFor(cert: Certificate, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return serializeCertificate(cert);
    case 'markdown':
      return renderMarkdown(cert, { surface: 'report' }).text;
    case 'html':
      return renderHtml(cert);
  }
}

/**
 * `dir/name` as an absolute path, refusing a name that is absolute, has a separator or `..`, or
 * otherwise resolves outside `dir` (`E_OUTPUT_PATH`).
 * @internal
 */
export function resolveInside(dir: string, name: string): string {
  const target = resolve(dir, name);
  const rel = relative(dir, target);
  if (name === '' || isAbsolute(name) || name.includes('/') || name.includes('\\') || rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes(sep)) {
    throw new InvarlockError('E_OUTPUT_PATH', `refusing to write ${JSON.stringify(name)}: it is not a plain file name inside ${dir}`, {
      details: { file: target, expected: `a file directly inside ${dir}` },
    });
  }
  return target;
}

async function ensureDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const info = await stat(dir);
    if (!info.isDirectory()) throw new InvarlockError('E_OUTPUT_PATH', `${dir} exists and is not a directory`, { details: { file: dir } });
  } catch (error) {
    throw wrapError(error, 'E_OUTPUT_PATH', `cannot create the output directory ${dir}`, { details: { file: dir } });
  }
}

async function writeAtomic(target: string, content: string): Promise<void> {
  const temp = join(resolve(target, '..'), `.${randomBytes(6).toString('hex')}.${process.pid}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw wrapError(error, 'E_OUTPUT_PATH', `cannot write ${target}`, { details: { file: target } });
  }
}
