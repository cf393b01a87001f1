/**
 * The one table of `invarlock doctor` finding codes (CERTIFICATE.md "doctor"). Codes are stable;
 * the README's table is generated from this one.
 */
export const DOCTOR_FINDINGS = {
  D_NODE_VERSION: { severity: 'error', summary: 'Node.js is older than 20.' },
  D_ORT_MISSING: { severity: 'error', summary: 'onnxruntime-node cannot be loaded.' },
  D_CUDA_UNAVAILABLE: { severity: 'error', summary: 'CUDA was requested but its execution provider libraries (or their CUDA dependencies) are missing.' },
  D_CUDA_ABSENT: { severity: 'note', summary: 'No CUDA execution provider is installed; runs use the CPU.' },
  D_CONFIG_INVALID: { severity: 'error', summary: 'The run configuration does not validate.' },
  D_MODEL_UNRESOLVED: { severity: 'error', summary: 'A model reference cannot be resolved or loaded (missing file, config.json, tokenizer).' },
  D_NETWORK_NEEDED: { severity: 'error', summary: 'A model reference needs the network, which is not allowed.' },
  D_TOKENIZER_DIFFERS: { severity: 'warning', summary: 'Baseline and subject tokenizers differ (ids are compared on the data at run time).' },
  D_DATASET_UNKNOWN: { severity: 'error', summary: 'The dataset provider is unknown.' },
  D_DATASET_MISSING: { severity: 'error', summary: 'The dataset file is missing or empty.' },
  D_DATASET_SMALL: { severity: 'error', summary: 'The text is too short for the planned windows.' },
  D_BOOTSTRAP_LOW: { severity: 'warning', summary: 'Bootstrap replicates are below 200.' },
  D_COVERAGE: { severity: 'warning', summary: "The profile's planned counts are below the tier's floors (the run raises them or fails)." },
  D_DEV_PROFILE: { severity: 'note', summary: 'The dev profile is active: floors are informational and the certificate is not release evidence.' },
  D_MEMORY_PLAN: { severity: 'note', summary: "The memory planner's estimate, budget and choice (batch size, kernel workers, chunks, weight pre-packing) for the baseline." },
  D_MEMORY_SHORT: { severity: 'error', summary: 'The run needs more memory than --max-memory (or the free memory) allows, even at its smallest settings.' },
  D_DISK_LOW: { severity: 'warning', summary: 'Free disk space is below twice the model size (chunked snapshots need room).' },
} as const satisfies Record<string, { readonly severity: 'error' | 'warning' | 'note'; readonly summary: string }>;

/** A stable doctor finding code, e.g. `D_CUDA_UNAVAILABLE`. */
export type DoctorFindingCode = keyof typeof DOCTOR_FINDINGS;
