/**
 * The one table of error codes. `ErrorCode` is derived from it, the CLI's `explain` output and the
 * README's table are generated from it. Codes are stable: never rename one, add a new one instead.
 *
 * `exit` is the process exit code the CLI uses when this error ends a run:
 * 2 = bad input or usage, 3 = runtime or infrastructure error.
 */
export const ERROR_CODES = {
  // --- usage and configuration
  E_USAGE: { exit: 2, summary: 'The command line is malformed (unknown flag, missing argument).' },
  E_CONFIG_INVALID: { exit: 2, summary: 'A configuration file or option does not match contracts/config.schema.json.' },
  E_CONFIG_PARSE: { exit: 2, summary: 'A configuration file is not valid YAML or JSON.' },
  E_PROFILE_UNKNOWN: { exit: 2, summary: 'The profile or tier name is not one of those in contracts/tiers.json.' },
  E_CONTRACT_INVALID: { exit: 3, summary: 'A bundled contract file (tiers, interfaces, schemas) failed its own schema.' },

  // --- files and references
  E_FILE_NOT_FOUND: { exit: 2, summary: 'A file or directory named by the user does not exist.' },
  E_FILE_READ: { exit: 3, summary: 'A file exists but could not be read.' },
  E_FILE_TYPE: { exit: 2, summary: 'A path names a directory, pipe, device or socket where a regular file is needed.' },
  E_FILE_TOO_LARGE: { exit: 2, summary: 'A file is larger than the limit for its kind, so it was not read.' },
  E_PATH_INVALID: { exit: 2, summary: 'A path is malformed: a NUL byte, too long, or a loop of symbolic links.' },
  E_PATH_ESCAPE: { exit: 2, summary: 'A path, once its symbolic links are resolved, leads outside the directory it must stay in.' },
  E_OUTPUT_PATH: { exit: 2, summary: 'An output path escapes the output directory or cannot be written.' },
  E_MODEL_REF: { exit: 2, summary: 'A model reference is malformed (expected a directory, an .onnx file or hf:org/name@revision).' },
  E_NETWORK_DISALLOWED: { exit: 2, summary: 'The reference needs the network, and network access was not allowed.' },
  E_DOWNLOAD: { exit: 3, summary: 'A download failed or its content did not match the expected hash.' },

  // --- ONNX model layer
  E_MODEL_PARSE: { exit: 2, summary: 'The file is not a well-formed ONNX ModelProto.' },
  E_MODEL_TRUNCATED: { exit: 2, summary: 'The ONNX file ends in the middle of a message or field.' },
  E_EXTERNAL_DATA_MISSING: { exit: 2, summary: 'An initializer points to an external data file that does not exist.' },
  E_TENSOR_RANGE: { exit: 2, summary: 'Tensor data lies outside its file or has the wrong number of bytes for its shape.' },
  E_DTYPE_UNSUPPORTED: { exit: 2, summary: 'A tensor has a data type this operation does not support.' },
  E_OP_UNSUPPORTED: { exit: 2, summary: 'A node uses an operator or attribute combination this operation does not support.' },
  E_GRAPH_EDIT: { exit: 3, summary: 'A graph edit refers to a value or node that does not exist, or would duplicate one.' },
  E_TENSOR_NOT_FOUND: { exit: 2, summary: 'No initializer or Constant tensor of the requested name exists in the model.' },
  E_NODE_NOT_FOUND: { exit: 2, summary: 'No node of the requested name exists in the model.' },

  // --- adapters, configs and tokenizers
  E_CONFIG_JSON: { exit: 2, summary: 'config.json (or genai_config.json) is missing, unreadable or lacks a needed field.' },
  E_ADAPTER_UNKNOWN: { exit: 2, summary: 'No adapter matches the model, or the named adapter does not exist.' },
  E_ADAPTER_IO: { exit: 2, summary: "The model's inputs or outputs do not match what the adapter needs." },
  E_INTERFACE_UNKNOWN: { exit: 2, summary: 'The architecture has no model interface; supply one in the config.' },
  E_INTERFACE_INVALID: { exit: 2, summary: 'A model interface does not resolve to the model\'s weights.' },
  E_WEIGHT_PAIRING: { exit: 2, summary: 'Baseline and subject weights cannot be paired by graph position.' },
  E_TOKENIZER_MISSING: { exit: 2, summary: 'tokenizer.json is missing next to the model.' },
  E_TOKENIZER_INVALID: { exit: 2, summary: 'tokenizer.json cannot be loaded or yields ids outside the embedding table.' },
  E_TOKENIZER_MISMATCH: { exit: 2, summary: 'Baseline and subject tokenizers produce different ids for the same text.' },

  // --- runtime
  E_RUNTIME_LOAD: { exit: 3, summary: 'onnxruntime could not create a session for the model.' },
  E_EP_UNAVAILABLE: { exit: 3, summary: 'The requested execution provider (CUDA) cannot be loaded.' },
  E_RUNTIME_RUN: { exit: 3, summary: 'onnxruntime failed while running a batch.' },
  E_NONFINITE_LOSS: { exit: 3, summary: 'A window produced a non-finite loss.' },
  E_CANCELLED: { exit: 3, summary: 'The run was cancelled.' },
  E_WORKER: { exit: 3, summary: 'A worker thread failed.' },
  E_MEMORY_BUDGET: { exit: 2, summary: 'The run needs more memory than --max-memory allows, even at batch 1 with one worker; stopped before scoring.' },
  E_MEMORY_SHORT: { exit: 3, summary: 'The run needs more memory than the machine has free, even at batch 1 with one worker; stopped before scoring.' },

  // --- data and evaluation
  E_DATASET_UNKNOWN: { exit: 2, summary: 'The dataset provider is not one of wikitext2, text:, jsonl:.' },
  E_DATASET_MISSING: { exit: 2, summary: 'The dataset file does not exist or is empty.' },
  E_DATASET_INVALID: { exit: 2, summary: 'A dataset record lacks the named field or has the wrong type.' },
  E_DATASET_SPEC: { exit: 2, summary: 'A dataset provider spec is malformed (expected wikitext2, text:PATH, jsonl:PATH#field, jsonl:PATH#text=F,label=F or jsonl:PATH#src=F,tgt=F[,prefix=TEXT]).' },
  E_WINDOW_CONFIG: { exit: 2, summary: 'Window options are inconsistent (seq_len, stride, framing tokens or counts out of range).' },
  E_INSUFFICIENT_DATA: { exit: 2, summary: 'There is too little text for the requested number of windows.' },
  E_PAIRING_TOKENS: { exit: 3, summary: 'A window was scored on different token ids for baseline and subject.' },
  E_PAIRING_MISSING: { exit: 3, summary: 'A window is missing from one arm of the paired evaluation.' },
  E_PAIRING_DUPLICATE: { exit: 3, summary: 'A window appears twice in one arm of the paired evaluation.' },
  E_PAIRING_COUNTS: { exit: 3, summary: 'Preview and final arms have unequal window counts between models.' },
  E_COVERAGE: { exit: 2, summary: 'The requested windows are below the tier\'s floors for release evidence.' },
  E_BASELINE_EVAL: { exit: 2, summary: 'A saved baseline evaluation is malformed.' },

  // --- edits and guards
  E_EDIT_UNKNOWN: { exit: 2, summary: 'The edit name is not one of quant_rtn, lora, noop.' },
  E_EDIT_CONFIG: { exit: 2, summary: 'The edit configuration is invalid.' },
  E_EDIT_SCOPE: { exit: 2, summary: 'The edit scope needs weights of a role the model interface did not find (e.g. no MLP projection in an inferred interface).' },
  E_LORA_INVALID: { exit: 2, summary: 'A LoRA adapter is malformed, misses a target module or has a rank or shape mismatch.' },
  E_SAFETENSORS: { exit: 2, summary: 'A safetensors file is malformed.' },
  E_SNAPSHOT: { exit: 3, summary: 'A snapshot could not be written or restored bit-exactly.' },

  // --- certificate
  E_CERT_PARSE: { exit: 2, summary: 'The certificate is not valid JSON.' },
  E_CERT_SCHEMA: { exit: 2, summary: 'The certificate does not match contracts/certificate.schema.json.' },
  E_CERT_TOO_LARGE: { exit: 2, summary: 'The certificate exceeds the size limit for untrusted input.' },

  // --- GitHub Action
  E_ACTION_INPUT: { exit: 2, summary: 'An Action input is invalid.' },
  E_DOCKER: { exit: 3, summary: 'Docker is missing, the image cannot be pulled, or the container failed.' },
  E_GPU_UNAVAILABLE: { exit: 3, summary: 'No GPU is visible in the container, or the driver is too old for the image.' },
  E_GITHUB_API: { exit: 3, summary: 'A GitHub API call failed after retries.' },
  E_TIMEOUT: { exit: 3, summary: 'The evaluation ran past timeout-minutes and was stopped.' },
  E_HOST_RUNTIME: { exit: 3, summary: 'Host mode could not install or verify onnxruntime-node for the CLI.' },
  E_CERT_PATH: { exit: 2, summary: 'An untrusted certificate or shard file names a path that escapes its directory.' },
  E_CERT_VERIFY: { exit: 2, summary: 'A certificate failed verification (digest, statistics or gate re-derivation).' },
  E_CERT_DUPLICATE_KEY: { exit: 2, summary: 'A certificate has an object with the same key twice (it would read differently to different parsers).' },
  E_CERT_POLICY: { exit: 2, summary: "A certificate's recorded policy is not the one the verifier accepts (contracts/tiers.json for its tier and profile, or --policy)." },
  E_CERT_SIGNATURE: { exit: 2, summary: "A certificate's Sigstore bundle is missing or does not verify, or was signed by another identity or for other bytes." },
  E_INTERNAL: { exit: 3, summary: 'An internal invariant was violated (a bug: please report it).' },
} as const satisfies Record<string, { readonly exit: 2 | 3; readonly summary: string }>;

/** A stable error code, e.g. `E_MODEL_PARSE`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` names a code in {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
