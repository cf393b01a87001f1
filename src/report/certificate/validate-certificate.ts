import certificateSchema from '../../../contracts/certificate.schema.json' with { type: 'json' };
import tiersSchema from '../../../contracts/tiers.schema.json' with { type: 'json' };
import { compileSchema, type SchemaValidator } from '../../contracts/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { Certificate } from './certificate-types.js';
import { findDuplicateKey } from './duplicate-keys.js';

/** Defaults of {@link parseCertificate}. */
export const PARSE_DEFAULTS = Object.freeze({
  /** @default 33_554_432 (32 MiB) — larger input is refused before parsing. */
  maxBytes: 32 * 1024 * 1024,
});

let validator: SchemaValidator<Certificate> | undefined;

/** The compiled certificate schema (compiled once, on first use). @internal */
export function certificateValidator(): SchemaValidator<Certificate> {
  validator ??= compileSchema<Certificate>(certificateSchema, { references: [tiersSchema] });
  return validator;
}

/**
 * Checks `value` against `contracts/certificate.schema.json` and returns it typed. Throws
 * `E_CERT_SCHEMA` with `details.problems` (up to 20 `path: message` lines) and `details.file = source`.
 * Checks shape only: digests and statistics are `verifyCertificate`'s job.
 */
export function validateCertificate(value: unknown, source: string): Certificate {
  return certificateValidator()(value, { source, code: 'E_CERT_SCHEMA' });
}

/** Options of {@link parseCertificate}. */
export interface ParseCertificateOptions {
  /** Where the bytes came from, for messages. */
  readonly source: string;
  /** Refuse input larger than this many bytes. @default 33_554_432 (32 MiB) */
  readonly maxBytes?: number;
}

/**
 * Parses untrusted certificate bytes or text: size limit first (`E_CERT_TOO_LARGE`), then strict
 * UTF-8 and JSON (`E_CERT_PARSE`, with the byte offset when JSON reports one; a key twice in one
 * object is `E_CERT_DUPLICATE_KEY`), then the schema (`E_CERT_SCHEMA`). A byte-order mark is accepted and skipped. Any other failure mode of the
 * input surfaces as one of these three codes, never as a foreign error.
 */
export function parseCertificate(bytes: string | Uint8Array, options: ParseCertificateOptions): Certificate {
  return validateCertificate(parseCertificateJson(bytes, options), options.source);
}

/**
 * The size, UTF-8 and JSON steps of {@link parseCertificate}, without the schema: returns the
 * parsed value. Throws `E_CERT_TOO_LARGE`, `E_CERT_PARSE` or `E_CERT_DUPLICATE_KEY`.
 * @internal
 */
export function parseCertificateJson(bytes: string | Uint8Array, options: ParseCertificateOptions): unknown {
  const maxBytes = options.maxBytes ?? PARSE_DEFAULTS.maxBytes;
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.byteLength;
  if (size > maxBytes) {
    throw new InvarlockError('E_CERT_TOO_LARGE', `${options.source} is ${size} bytes, over the ${maxBytes}-byte limit for certificates`, {
      details: { file: options.source, expected: `≤ ${maxBytes} bytes`, actual: `${size} bytes` },
    });
  }
  const text = typeof bytes === 'string' ? bytes : decodeUtf8(bytes, options.source);
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(reason)?.[1];
    throw new InvarlockError('E_CERT_PARSE', `${options.source} is not valid JSON: ${reason}`, {
      details: { file: options.source, ...(position === undefined ? {} : { offset: Number(position) }) },
      cause: error,
    });
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) {
    throw new InvarlockError('E_CERT_DUPLICATE_KEY', `${options.source} has the key ${JSON.stringify(duplicate.key)} twice in ${duplicate.path}`, {
      details: { file: options.source, field: `${duplicate.path}.${duplicate.key}`, offset: duplicate.offset },
      hint: 'A certificate must mean the same to every JSON parser; write each key once.',
    });
  }
  return value;
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InvarlockError('E_CERT_PARSE', `${source} is not valid UTF-8`, { details: { file: source }, cause: error });
  }
}
