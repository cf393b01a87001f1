import { createRequire } from 'node:module';
import capabilitiesJson from '../../../contracts/adapter_capabilities.json' with { type: 'json' };
import capabilitiesSchema from '../../../contracts/adapter_capabilities.schema.json' with { type: 'json' };
import { compileSchema } from '../../contracts/index.js';
import { ADAPTER_NAMES, type AdapterCapabilities, type AdapterName, type WeightFormat } from '../types.js';

interface AdapterJson {
  readonly task: AdapterCapabilities['task'];
  readonly description: string;
  readonly status: AdapterCapabilities['status'];
  readonly metric: AdapterCapabilities['metric'];
  readonly graphs: readonly string[];
  readonly required_inputs: readonly string[];
  readonly optional_inputs: readonly string[];
  readonly required_outputs: readonly string[];
  readonly weight_formats: readonly WeightFormat[];
  readonly required_packages: readonly string[];
  readonly edits: readonly string[];
  readonly snapshots: readonly ('memory' | 'chunked')[];
}

interface CapabilitiesFile {
  readonly schema_version: 1;
  readonly adapters: Readonly<Record<AdapterName, AdapterJson>>;
}

const validate = compileSchema<CapabilitiesFile>(capabilitiesSchema);
let table: ReadonlyMap<AdapterName, AdapterCapabilities> | undefined;

/**
 * The capabilities of one adapter, from `contracts/adapter_capabilities.json` (validated once).
 * @throws InvarlockError `E_CONTRACT_INVALID` when the bundled file fails its schema.
 */
export function adapterCapabilities(name: AdapterName): AdapterCapabilities {
  table ??= new Map(
    ADAPTER_NAMES.map((adapter) => {
      const entry = validate(capabilitiesJson, { source: 'contracts/adapter_capabilities.json', code: 'E_CONTRACT_INVALID' }).adapters[adapter];
      return [adapter, toCapabilities(entry)] as const;
    }),
  );
  const found = table.get(name);
  if (found === undefined) throw new Error(`unreachable: adapter ${name} missing after schema validation`);
  return found;
}

function toCapabilities(entry: AdapterJson): AdapterCapabilities {
  return {
    task: entry.task,
    description: entry.description,
    status: entry.status,
    metric: entry.metric,
    graphs: entry.graphs,
    requiredInputs: entry.required_inputs,
    optionalInputs: entry.optional_inputs,
    requiredOutputs: entry.required_outputs,
    weightFormats: entry.weight_formats,
    requiredPackages: entry.required_packages,
    edits: entry.edits,
    snapshots: entry.snapshots,
  };
}

/** Readiness of an adapter: `ready`, or `missing` with the pieces it lacks (npm packages). */
export type AdapterReadiness = { readonly status: 'ready' } | { readonly status: 'missing'; readonly missing: readonly string[] };

/** One row of `invarlock plugins adapters --json`. */
export interface AdapterListing {
  readonly name: AdapterName;
  readonly readiness: AdapterReadiness;
  readonly capabilities: AdapterCapabilities;
}

/** Options of {@link listAdapters}. */
export interface ListAdaptersOptions {
  /**
   * Says whether an npm package can be resolved. Only the adapter's own requirements are checked
   * (CUDA provider libraries are the runtime's concern, reported by `doctor`).
   * @default resolution from this module with `require.resolve`
   */
  readonly isPackageAvailable?: (name: string) => boolean;
}

/** Every adapter with its capabilities and readiness, in {@link ADAPTER_NAMES} order. */
export function listAdapters(options: ListAdaptersOptions = {}): AdapterListing[] {
  const available = options.isPackageAvailable ?? canResolve;
  return ADAPTER_NAMES.map((name) => {
    const capabilities = adapterCapabilities(name);
    const missing = capabilities.requiredPackages.filter((pkg) => !available(pkg));
    const readiness: AdapterReadiness = missing.length === 0 ? { status: 'ready' } : { status: 'missing', missing };
    return { name, readiness, capabilities };
  });
}

function canResolve(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${name}/package.json`);
    return true;
  } catch {
    try {
      createRequire(import.meta.url).resolve(name);
      return true;
    } catch {
      return false;
    }
  }
}
