import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvarlockError, readUntrustedFile } from '../../errors/index.js';
import { explainGates, parseCertificate, PARSE_DEFAULTS, renderGateExplanation, renderHtml, renderMarkdown, serializeCertificate, type Certificate, type MarkdownSurface } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';

/** Flags of `invarlock report`. */
export interface ReportFlags {
  readonly format?: string;
  readonly surface?: string;
  readonly out?: string;
}

const SURFACES: readonly MarkdownSurface[] = ['report', 'check-summary', 'check-text', 'comment', 'job-summary'];

/** Reads and schema-checks a certificate file (`E_CERT_PARSE`, `E_CERT_SCHEMA`, `E_FILE_NOT_FOUND`). */
export async function readCertificateFile(path: string, cwd: string): Promise<Certificate> {
  const full = resolve(cwd, path);
  const bytes = await readUntrustedFile(full, { what: 'certificate', maxBytes: PARSE_DEFAULTS.maxBytes, tooLargeCode: 'E_CERT_TOO_LARGE' });
  return parseCertificate(bytes, { source: path });
}

/** `invarlock report CERT --format md|html|json [--surface S] [--out FILE]`: re-renders a certificate. */
export async function runReport(path: string, flags: ReportFlags, ctx: CliContext): Promise<number> {
  const cert = await readCertificateFile(path, ctx.cwd);
  const format = flags.format ?? 'md';
  let text: string;
  switch (format) {
    case 'md': {
      const surface = (flags.surface ?? 'report') as MarkdownSurface;
      if (!SURFACES.includes(surface)) throw new InvarlockError('E_USAGE', `--surface must be one of ${SURFACES.join(', ')}`, { details: { field: 'surface', actual: surface } });
      const rendered = renderMarkdown(cert, { surface });
      text = rendered.text;
      if (rendered.omitted.length > 0) ctx.stderr.write(`note: shortened to fit ${surface}: ${rendered.omitted.join('; ')}\n`);
      break;
    }
    case 'html':
      text = renderHtml(cert);
      break;
    case 'json':
      text = serializeCertificate(cert);
      break;
    default:
      throw new InvarlockError('E_USAGE', `--format must be md, html or json, not '${format}'`, { details: { field: 'format', actual: format } });
  }
  if (flags.out === undefined) {
    ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  } else {
    const target = resolve(ctx.cwd, flags.out);
    await writeFile(`${target}.tmp`, text);
    await rename(`${target}.tmp`, target);
    ctx.stderr.write(`wrote ${target}\n`);
  }
  return 0;
}

/** `invarlock explain-gates CERT [--json]`: each gate's inputs, threshold, outcome and margin. */
export async function runExplainGates(path: string, flags: { readonly json?: boolean }, ctx: CliContext): Promise<number> {
  const explanations = explainGates(await readCertificateFile(path, ctx.cwd));
  ctx.stdout.write(flags.json === true ? `${JSON.stringify(explanations)}\n` : renderGateExplanation(explanations));
  return 0;
}
