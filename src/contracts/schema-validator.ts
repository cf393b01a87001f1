import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { InvarlockError, type ErrorCode } from '../errors/index.js';

// ajv-formats is CommonJS with a default export; under NodeNext the default arrives wrapped.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv2020) => Ajv2020;

/** At most this many schema problems are listed in one error. */
const MAX_PROBLEMS = 20;

let shared: Ajv2020 | undefined;

function getAjv(): Ajv2020 {
  shared ??= addFormats(new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }));
  return shared;
}

/** What a compiled validator is told about the value it checks. */
export interface ValidateContext {
  /** File or origin of the value, for messages (e.g. `config.yaml`, `Action inputs`). */
  readonly source: string;
  /** Error code thrown when the value does not match. */
  readonly code: ErrorCode;
}

/** A validator made by {@link compileSchema}: returns the value typed as `T`, or throws. */
export type SchemaValidator<T> = {
  (value: unknown, context: ValidateContext): T;
  /** True when `value` matches, without throwing. */
  readonly check: (value: unknown) => value is T;
  /** Problems as `path: message` lines; empty when the value matches. */
  readonly problems: (value: unknown) => string[];
};

/** `path: message` lines for ajv errors, JSON-pointer paths (`/` for the root). */
export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, MAX_PROBLEMS).map((e) => {
    const where = e.instancePath === '' ? '/' : e.instancePath;
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${String((e.params as { additionalProperty?: unknown }).additionalProperty)}'`
        : e.keyword === 'enum'
          ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')})`
          : '';
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
}

/**
 * Compiles a JSON Schema (draft 2020-12) once. The returned function parses an `unknown` into `T`
 * or throws an {@link InvarlockError} with the context's code whose `details.problems` lists every
 * mismatch (up to 20) as `path: message`. `references` are schemas (with `$id`) that `schema`
 * points to with `$ref`; each is registered once.
 */
export function compileSchema<T>(schema: object, options: { readonly references?: readonly object[] } = {}): SchemaValidator<T> {
  // Compiled on first use: ajv compilation dominates CLI start-up, and most commands use few schemas.
  let compiled: ValidateFunction<T> | undefined;
  const validate = (value: unknown): boolean => {
    if (compiled === undefined) {
      const ajv = getAjv();
      for (const reference of options.references ?? []) {
        const refId = (reference as { $id?: unknown }).$id;
        if (typeof refId === 'string' && ajv.getSchema(refId) === undefined) ajv.addSchema(reference);
      }
      const id = (schema as { $id?: unknown }).$id;
      compiled = (typeof id === 'string' ? ajv.getSchema<T>(id) : undefined) ?? ajv.compile<T>(schema);
    }
    return compiled(value);
  };
  const problems = (value: unknown): string[] => (validate(value) ? [] : formatSchemaErrors(compiled!.errors));
  const fn = (value: unknown, context: ValidateContext): T => {
    if (validate(value)) return value as T;
    const list = formatSchemaErrors(compiled!.errors);
    throw new InvarlockError(context.code, `${context.source} does not match its schema: ${list[0] ?? 'invalid'}`, {
      details: { file: context.source, problems: list },
      ...(list.length > 1 ? { hint: `${list.length} problems; see details.problems` } : {}),
    });
  };
  return Object.assign(fn, { check: (value: unknown): value is T => validate(value), problems });
}
