/**
 * The hand-written `Certificate` type and `contracts/certificate.schema.json` cannot drift apart:
 *
 * 1. tsc checks the literals in certificate-literals.ts against `Certificate`: an object literal
 *    must have every property the type requires and no property it lacks, and the type has no
 *    optional properties, so each literal names exactly the type's keys.
 * 2. ajv checks the same literals against the schema (which forbids unknown keys everywhere).
 * 3. This test walks the schema alongside the literals and proves that every property slot of the
 *    schema is reached by some literal (so no schema field is missing from the type), and that the
 *    slots where the literals hold null are exactly the slots where the schema allows null (so
 *    nullability agrees in the direction that matters: the type admits every null the schema does).
 * Slots are schema locations (a `$defs` property is one slot however many paths reach it).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Certificate } from '../../src/report/index.js';
import { validateCertificate } from '../../src/report/index.js';
import { branchFor, certificateRoot, child, isRecord, resolveRef, type SchemaAt } from '../../src/report/certificate/schema-walk.js';
import { fullCertificate, notEvaluatedGuard, sparseCertificate } from './certificate-literals.js';

// A third literal: every nullable block null (guard measurements, describe, container, quantiles),
// and the edit branch of `change` with its nullable count null.
const nullBlocks: Certificate = {
  ...sparseCertificate,
  policy: { ...sparseCertificate.policy, sequential: null },
  // a sequential run that reached its last look
  sequential: { ...fullCertificate.sequential!, stopped_at: null, windows_saved: 0 },
  change: { kind: 'edit', name: 'noop', config: {}, plan_digest: 'b'.repeat(64), params_changed: null, modules_touched: [], rolled_back: false },
  guards: {
    invariants: notEvaluatedGuard('off'),
    spectral: notEvaluatedGuard('off'),
    rmt: notEvaluatedGuard('off'),
    variance: notEvaluatedGuard('off'),
  },
};

// Type level: no property of Certificate is optional, at any depth (open records such as an edit's
// config excepted), so a typed object literal must spell out every key of the type.
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type NoOptionalDeep<T> = T extends string | number | boolean | null
  ? true
  : T extends readonly (infer U)[]
    ? NoOptionalDeep<U>
    : string extends keyof T
      ? true
      : [OptionalKeys<T>] extends [never]
        ? false extends { [K in keyof T]-?: NoOptionalDeep<T[K]> }[keyof T]
          ? false
          : true
        : false;

interface Slots {
  readonly all: Set<string>;
  readonly nullable: Set<string>;
}

function allowsNull(at: SchemaAt): boolean {
  const resolved = resolveRef(at);
  if (resolved === undefined) return false;
  const { type, oneOf, enum: values } = resolved.node;
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  if (Array.isArray(values) && values.includes(null)) return true;
  if (Array.isArray(oneOf)) return oneOf.some((_, i) => allowsNull(child(resolved, ['oneOf', String(i)]) ?? resolved));
  return false;
}

/** Every property slot reachable in the schema, and those that allow null. */
function schemaSlots(): Slots {
  const all = new Set<string>();
  const nullable = new Set<string>();
  const seen = new Set<string>();
  const visit = (at: SchemaAt): void => {
    const resolved = resolveRef(at);
    if (resolved === undefined || seen.has(resolved.location)) return;
    seen.add(resolved.location);
    const { properties, oneOf, items, prefixItems } = resolved.node;
    if (isRecord(properties)) {
      for (const key of Object.keys(properties)) {
        const slot = child(resolved, ['properties', key]);
        if (slot === undefined) continue;
        all.add(slot.location);
        if (allowsNull(slot)) nullable.add(slot.location);
        visit(slot);
      }
    }
    if (Array.isArray(oneOf)) oneOf.forEach((_, i) => visit(child(resolved, ['oneOf', String(i)]) ?? resolved));
    if (isRecord(items)) visit(child(resolved, ['items']) ?? resolved);
    if (Array.isArray(prefixItems)) prefixItems.forEach((_, i) => visit(child(resolved, ['prefixItems', String(i)]) ?? resolved));
  };
  visit(certificateRoot());
  return { all, nullable };
}

/** The slots a value reaches, and those where it holds null. Open objects (an edit's config) end the walk. */
function valueSlots(values: readonly unknown[]): Slots {
  const all = new Set<string>();
  const nullable = new Set<string>();
  const walk = (value: unknown, at: SchemaAt): void => {
    const resolved = resolveRef(at);
    const branch = resolved === undefined ? undefined : branchFor(value, resolved);
    if (branch === undefined) throw new Error(`no schema branch for ${JSON.stringify(value)?.slice(0, 80)} at ${at.location}`);
    if (Array.isArray(value)) {
      const items = child(branch, ['items']);
      if (items !== undefined) for (const item of value) walk(item, items);
      return;
    }
    if (!isRecord(value) || !isRecord(branch.node.properties)) return;
    for (const [key, inner] of Object.entries(value)) {
      const slot = child(branch, ['properties', key]);
      if (slot === undefined) throw new Error(`${key} is not in the schema at ${branch.location}`);
      all.add(slot.location);
      if (inner === null) nullable.add(slot.location);
      else walk(inner, slot);
    }
  };
  for (const value of values) walk(value, certificateRoot());
  return { all, nullable };
}

// A fourth: nll_per_byte's windows are text spans that record each model's token counts.
const spanWindows: Certificate = {
  ...fullCertificate,
  primary_metric: { ...fullCertificate.primary_metric, kind: 'nll_per_byte' },
  windows: {
    preview: { ids: ['w0'], weights: [250], baseline: [0.9], subject: [0.91], delta: [0.01], tokens: { baseline: [64], subject: [71] } },
    final: { ids: ['w250'], weights: [248], baseline: [0.8], subject: [0.8], delta: [0], tokens: { baseline: [63], subject: [70] } },
  },
};

describe('Certificate type and certificate.schema.json', () => {
  const literals = [fullCertificate, sparseCertificate, nullBlocks, spanWindows];

  it('has no optional property at any depth (checked by tsc)', () => {
    expectTypeOf<NoOptionalDeep<Certificate>>().toEqualTypeOf<true>();
    expectTypeOf<NoOptionalDeep<{ readonly a: { readonly b?: number } }>>().toEqualTypeOf<false>();
  });

  it('accepts every typed literal against the schema', () => {
    for (const literal of literals) expect(validateCertificate(literal, 'literal')).toBe(literal);
  });

  it('reaches every property of the schema from the typed literals', () => {
    const schema = schemaSlots();
    const reached = valueSlots(literals);
    expect([...schema.all].filter((slot) => !reached.all.has(slot))).toEqual([]);
    expect([...reached.all].filter((slot) => !schema.all.has(slot))).toEqual([]);
    expect(schema.all.size).toBeGreaterThan(150);
  });

  it('holds null in the typed literals exactly where the schema allows null', () => {
    const schema = schemaSlots();
    const reached = valueSlots(literals);
    expect([...schema.nullable].filter((slot) => !reached.nullable.has(slot)).sort()).toEqual([]);
    expect([...reached.nullable].filter((slot) => !schema.nullable.has(slot)).sort()).toEqual([]);
  });

  it('rejects a literal with a key the schema does not know', () => {
    const extra = { ...fullCertificate, verdict: { ...fullCertificate.verdict, note: 'x' } };
    expect(() => validateCertificate(extra, 'extra.json')).toThrow(expect.objectContaining({ code: 'E_CERT_SCHEMA' }));
  });
});
