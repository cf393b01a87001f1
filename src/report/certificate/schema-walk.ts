import certificateSchema from '../../../contracts/certificate.schema.json' with { type: 'json' };
import tiersSchema from '../../../contracts/tiers.schema.json' with { type: 'json' };

/**
 * Walking the certificate schema alongside a value: resolves `$ref` (within a document and into
 * `tiers.schema.json`, which the certificate's `policy` points to) and picks the `oneOf` branch
 * that describes a value. Used to print certificates in schema order and, in tests, to prove the
 * TypeScript types and the schema name the same fields.
 * @internal
 */

/** A schema node and the document its relative `$ref`s resolve in. @internal */
export interface SchemaAt {
  readonly node: { readonly [key: string]: unknown };
  readonly doc: { readonly [key: string]: unknown };
  /** JSON pointer of `node` in its document, prefixed with the document's `$id`. */
  readonly location: string;
}

const DOCUMENTS: readonly { readonly [key: string]: unknown }[] = [certificateSchema, tiersSchema];

/** True for a non-null, non-array object. @internal */
export function isRecord(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The certificate schema's root. @internal */
export function certificateRoot(): SchemaAt {
  return { node: certificateSchema, doc: certificateSchema, location: `${certificateSchema.$id}#` };
}

function step(node: unknown, part: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(part) ? node[Number(part)] : undefined;
  return isRecord(node) ? node[part] : undefined;
}

/** Follows `$ref`s until a node without one; undefined for a reference it cannot resolve. @internal */
export function resolveRef(at: SchemaAt): SchemaAt | undefined {
  let current = at;
  for (let hops = 0; hops < 16; hops++) {
    const ref = current.node.$ref;
    if (typeof ref !== 'string') return current;
    const [base, pointer = ''] = ref.split('#');
    const doc = base === '' || base === undefined ? current.doc : DOCUMENTS.find((d) => d.$id === base);
    if (doc === undefined) return undefined;
    let node: unknown = doc;
    for (const part of pointer.split('/').filter((p) => p !== '')) node = step(node, part);
    if (!isRecord(node)) return undefined;
    current = { node, doc, location: `${String(doc.$id)}#${pointer}` };
  }
  return undefined;
}

/** A child schema of `at` (e.g. `properties/name`), unresolved. @internal */
export function child(at: SchemaAt, path: readonly string[]): SchemaAt | undefined {
  let node: unknown = at.node;
  for (const part of path) node = step(node, part);
  return isRecord(node) ? { node, doc: at.doc, location: `${at.location}/${path.join('/')}` } : undefined;
}

/** The resolved `oneOf` branch describing `value` (same JSON type; same `kind` const for objects); `at` itself without a `oneOf` or for a scalar. @internal */
export function branchFor(value: unknown, at: SchemaAt): SchemaAt | undefined {
  const branches = at.node.oneOf;
  // Scalars have no inner structure to walk: the oneOf node itself describes them.
  if (!Array.isArray(branches) || (value !== null && typeof value !== 'object')) return at;
  for (let i = 0; i < branches.length; i++) {
    const branchAt = child(at, ['oneOf', String(i)]);
    const branch = branchAt === undefined ? undefined : resolveRef(branchAt);
    if (branch === undefined) continue;
    const type = branch.node.type;
    if (isRecord(value) && type === 'object') {
      const kind = child(branch, ['properties', 'kind'])?.node.const;
      const properties = branch.node.properties;
      // branches without a `kind` are told apart by their keys (token windows or text spans)
      if (kind === undefined ? isRecord(properties) && Object.keys(value).every((key) => key in properties) : kind === value.kind) return branch;
    }
    if (Array.isArray(value) && type === 'array') return branch;
    if (value === null && type === 'null') return branch;
  }
  return undefined;
}
