import supportJson from '../../../contracts/support_matrix.json' with { type: 'json' };
import supportSchema from '../../../contracts/support_matrix.schema.json' with { type: 'json' };
import { compileSchema } from '../../contracts/index.js';
import type { AdapterName, WeightFormat } from '../types.js';

/** How strong the evidence for a claim is, weakest first. */
export type EvidenceTier = 'untested' | 'synthetic' | 'fixture' | 'real-model';

/** One model family of `contracts/support_matrix.json`. */
export interface SupportedFamily {
  readonly modelType: string;
  readonly adapter: AdapterName;
  readonly interface: 'bundled' | 'config';
  readonly interfaceMapping: EvidenceTier;
  readonly scoring: EvidenceTier;
  readonly formats: Readonly<Partial<Record<WeightFormat, EvidenceTier>>>;
  /** Test files and `fixture:<name>` entries backing the claims. */
  readonly evidence: readonly string[];
  readonly notes: string | null;
}

interface FamilyJson {
  readonly model_type: string;
  readonly adapter: AdapterName;
  readonly interface: 'bundled' | 'config';
  readonly interface_mapping: EvidenceTier;
  readonly scoring: EvidenceTier;
  readonly formats: Readonly<Partial<Record<WeightFormat, EvidenceTier>>>;
  readonly evidence: readonly string[];
  readonly notes?: string;
}

const validate = compileSchema<{ readonly families: readonly FamilyJson[] }>(supportSchema);
let families: readonly SupportedFamily[] | undefined;

/**
 * The support matrix (`contracts/support_matrix.json`, validated once): which families are supported,
 * through which adapter, and the evidence tier of each claim.
 * @throws InvarlockError `E_CONTRACT_INVALID` when the bundled file fails its schema.
 */
export function supportMatrix(): readonly SupportedFamily[] {
  families ??= validate(supportJson, { source: 'contracts/support_matrix.json', code: 'E_CONTRACT_INVALID' }).families.map((f) => ({
    modelType: f.model_type,
    adapter: f.adapter,
    interface: f.interface,
    interfaceMapping: f.interface_mapping,
    scoring: f.scoring,
    formats: f.formats,
    evidence: f.evidence,
    notes: f.notes ?? null,
  }));
  return families;
}
