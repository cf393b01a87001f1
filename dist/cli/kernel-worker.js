import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./build/src/errors/codes.js
/**
 * The one table of error codes. `ErrorCode` is derived from it, the CLI's `explain` output and the
 * README's table are generated from it. Codes are stable: never rename one, add a new one instead.
 *
 * `exit` is the process exit code the CLI uses when this error ends a run:
 * 2 = bad input or usage, 3 = runtime or infrastructure error.
 */
const ERROR_CODES = {
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
};
/** True when `value` names a code in {@link ERROR_CODES}. */
function isErrorCode(value) {
    return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

;// CONCATENATED MODULE: ./build/src/errors/invarlock-error.js

/**
 * The one error class of invarlock. Tell errors apart by `code`, never by message.
 * `exitCode` is derived from the code table (2 bad input, 3 runtime).
 */
class invarlock_error_InvarlockError extends Error {
    code;
    hint;
    details;
    constructor(code, message, options = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'InvarlockError';
        this.code = code;
        this.hint = options.hint;
        this.details = options.details ?? {};
    }
    /** Process exit code for a run ended by this error: 2 bad input, 3 runtime. */
    get exitCode() {
        return ERROR_CODES[this.code].exit;
    }
    /** A plain, JSON-safe record (for `--json` output and worker messages). */
    toJSON() {
        return {
            code: this.code,
            message: this.message,
            ...(this.hint === undefined ? {} : { hint: this.hint }),
            details: this.details,
        };
    }
}
/** True when `error` is an {@link InvarlockError}, optionally with the given code. */
function isInvarlockError(error, code) {
    return error instanceof invarlock_error_InvarlockError && (code === undefined || error.code === code);
}
/**
 * Wraps a foreign error (fs, onnxruntime, Octokit, ajv) with our code, keeping it as `cause`.
 * An error that is already an {@link InvarlockError} passes through unchanged.
 */
function invarlock_error_wrapError(error, code, message, options = {}) {
    if (error instanceof invarlock_error_InvarlockError)
        return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new invarlock_error_InvarlockError(code, `${message}: ${reason}`, { ...options, cause: error });
}

;// CONCATENATED MODULE: ./build/src/errors/doctor-findings.js
/**
 * The one table of `invarlock doctor` finding codes (CERTIFICATE.md "doctor"). Codes are stable;
 * the README's table is generated from this one.
 */
const DOCTOR_FINDINGS = {
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
};

;// CONCATENATED MODULE: ./build/src/errors/code-fixes.js
/**
 * What usually causes each error code and how to fix it: the text `invarlock explain CODE` adds to
 * the one-line summary of the code tables. Kept beside the tables, one entry per code (a test checks
 * that every code has one).
 */
const ERROR_CODE_FIXES = {
    E_USAGE: 'A flag is misspelt, lacks its value, or two flags exclude each other. Run the command with --help for its flags.',
    E_CONFIG_INVALID: 'A key is unknown, a value has the wrong type or range, or options contradict (e.g. both subjects and edit). Fix the field the message names; contracts/config.schema.json lists every key.',
    E_CONFIG_PARSE: 'The file is not YAML or JSON (a tab indent, an unclosed quote or bracket). The message gives the line; run it through a YAML linter.',
    E_PROFILE_UNKNOWN: 'Use a profile of dev, ci_cpu, ci, release and a tier of balanced, conservative, aggressive.',
    E_CONTRACT_INVALID: 'The installation is damaged or was edited: reinstall invarlock (or rebuild dist/).',
    E_FILE_NOT_FOUND: 'The path is wrong or relative to another folder: paths resolve from the working directory (the config file\'s paths too). Check the spelling and that the file was checked out or downloaded.',
    E_FILE_READ: 'Permissions, a disk error or a file removed while reading. Check that the user running invarlock can read it.',
    E_FILE_TYPE: 'Point the option at a regular file (not a folder, FIFO or device); for a model, give its folder or its .onnx file.',
    E_FILE_TOO_LARGE: 'The file is larger than invarlock reads for its kind (untrusted input is bounded). Use a smaller file, or check that the right file was named.',
    E_PATH_INVALID: 'Remove NUL bytes, shorten the path, or break the symbolic-link loop.',
    E_PATH_ESCAPE: 'A model file or link points outside the model folder (or a certificate names a file outside its folder). Copy the files into the folder instead of linking out of it.',
    E_OUTPUT_PATH: 'Choose an --out folder you can write, that is a folder (not a file) and not a link out of the workspace.',
    E_MODEL_REF: 'Give a folder holding model.onnx, an .onnx file, or hf:org/name@revision (a branch, tag or commit).',
    E_NETWORK_DISALLOWED: 'Pass --allow-network (Action: allow-network: true) once to download into the cache, or give local files (--dataset text:FILE, --dataset-path for wikitext2, a local model folder).',
    E_DOWNLOAD: 'The hub or proxy is unreachable, the token lacks access (HF_TOKEN), or the file changed under a pinned hash. Retry; pin a commit revision; check HF_ENDPOINT and proxies.',
    E_MODEL_PARSE: 'The file is not ONNX (an LFS pointer, HTML error page, or a different format). Re-export or re-download it; `git lfs pull` for LFS pointers.',
    E_MODEL_TRUNCATED: 'The download or copy stopped early. Download the model again and compare its size and hash.',
    E_EXTERNAL_DATA_MISSING: 'The model keeps its weights in a side file (model.onnx_data) that is not beside it. Copy every file of the export into the model folder.',
    E_TENSOR_RANGE: 'The external data file does not match the model (another export, or truncated). Keep model.onnx and its data file from the same export.',
    E_DTYPE_UNSUPPORTED: 'The weight type is not supported for this step (e.g. an edit on a quantized tensor). Start from the float export, or compare two exports instead of editing.',
    E_OP_UNSUPPORTED: 'The export uses an operator form invarlock does not read. Re-export with a standard exporter (torch.onnx, optimum) or report the operator.',
    E_GRAPH_EDIT: 'An internal graph change failed: please report it with the model\'s exporter and version.',
    E_TENSOR_NOT_FOUND: 'The model interface names a weight the graph does not have. Check the interface (plugins adapters --json) or give your own with interface in the config.',
    E_NODE_NOT_FOUND: 'The model interface names a node the graph does not have. Check or override the interface in the config.',
    E_CONFIG_JSON: 'Put the exporter\'s config.json (model_type, vocab size, layers) beside model.onnx; optimum and transformers write it.',
    E_ADAPTER_UNKNOWN: 'Name the adapter: --adapter onnx_causal, onnx_mlm, onnx_seq2seq or onnx_cls (or fix config.json\'s model_type / architectures).',
    E_INTERFACE_UNKNOWN: 'The architecture is not bundled: give a model interface in the config (interface: …), see `invarlock plugins adapters --json` for the bundled ones.',
    E_INTERFACE_INVALID: 'The interface\'s weight or node patterns match nothing in this graph. Check them against the model\'s initializer names.',
    E_WEIGHT_PAIRING: 'Baseline and subject are different architectures or exports with a different layout. Compare exports of the same model, made the same way.',
    E_TOKENIZER_MISSING: 'Copy tokenizer.json (from the Hugging Face repository or the exporter\'s output) beside model.onnx.',
    E_TOKENIZER_INVALID: 'tokenizer.json is damaged or belongs to another model (ids beyond the embedding table). Use the tokenizer of this model.',
    E_TOKENIZER_MISMATCH: 'The subject was saved with another tokenizer. Use the baseline\'s tokenizer.json for both, or certify against a baseline with the same vocabulary.',
    E_RUNTIME_LOAD: 'onnxruntime refused the graph (an opset or operator it lacks, too little memory). Update onnxruntime-node, re-export with a lower opset, or free memory.',
    E_EP_UNAVAILABLE: 'The CUDA provider or its libraries (CUDA 12, cuDNN 9) are missing. Use the CUDA runtime image, install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12, or pass --device cpu.',
    E_RUNTIME_RUN: 'onnxruntime failed on a batch: often out of memory. Lower --batch-size or --seq-len, or use a machine with more memory.',
    E_NONFINITE_LOSS: 'The model produces NaN or infinite logits on the data (broken weights, an fp16 overflow). Check the subject; for fp16 exports try the float32 one.',
    E_CANCELLED: 'The run was stopped by a signal (Ctrl-C, the job being cancelled) or its parent went away. Run it again.',
    E_MEMORY_BUDGET: 'Raise --max-memory to at least what the message says the run needs, or certify on a machine with more memory; a smaller --seq-len or fewer windows lowers the need a little.',
    E_MEMORY_SHORT: 'Free memory on the machine (other jobs, a larger runner) or pass --max-memory above what is free if you know swap or a later release will cover it; the message says how much the run needs.',
    E_WORKER: 'A guard kernel thread crashed, often out of memory. Free memory and run again; report it if it repeats.',
    E_DATASET_UNKNOWN: 'Use --dataset wikitext2, text:PATH, jsonl:PATH#field, jsonl:PATH#text=F,label=F or jsonl:PATH#src=F,tgt=F.',
    E_DATASET_MISSING: 'The dataset file is missing or empty: check the path (relative to the working directory) and that it has text.',
    E_DATASET_INVALID: 'A JSONL line is not JSON or lacks the field named after #. Check the line the message names.',
    E_DATASET_SPEC: 'Fix the provider spec: a prefix (text:, jsonl:), the path, and for jsonl the fields after #.',
    E_WINDOW_CONFIG: 'seq_len, stride or the window counts are out of range for the model (e.g. seq_len above its context). Lower seq_len or fix the counts.',
    E_INSUFFICIENT_DATA: 'The text yields fewer distinct windows than planned. Give more text, or lower --preview-n/--final-n or --seq-len (within the tier\'s floors).',
    E_PAIRING_TOKENS: 'Baseline and subject were scored on different ids: a bug or a tokenizer difference. Report it with both models\' tokenizer files.',
    E_PAIRING_MISSING: 'A window was not scored on one side: a bug, or an interrupted run. Run again; report it if it repeats.',
    E_PAIRING_DUPLICATE: 'A window was scored twice on one side: a bug. Report it with the configuration.',
    E_PAIRING_COUNTS: 'The arms differ in size between the models: a bug or an interrupted run. Run again; report it if it repeats.',
    E_COVERAGE: 'The planned windows or tokens are below the tier\'s floors. Raise --preview-n/--final-n, give more text, or use the dev profile for a non-release check.',
    E_BASELINE_EVAL: 'The saved baseline evaluation is damaged or from another version. Delete it (or drop --baseline-eval) and let the run score the baseline again.',
    E_EDIT_UNKNOWN: 'Use --edit quant_rtn, lora or noop.',
    E_EDIT_CONFIG: 'An edit option is unknown or out of range (e.g. bits outside 2–8). README lists each edit\'s keys and defaults.',
    E_EDIT_SCOPE: 'The scope names weights the model interface did not find. Choose another scope (all, attn, ffn) or give the interface in the config.',
    E_LORA_INVALID: 'The adapter does not fit the baseline: another base model, missing target modules or ranks. Use the PEFT folder trained on this baseline (adapter_config.json + adapter_model.safetensors).',
    E_SAFETENSORS: 'The safetensors file is damaged or not safetensors. Save the adapter again with PEFT.',
    E_SNAPSHOT: 'Restoring the baseline\'s weights failed (disk full, or a bug). Free disk space and run again.',
    E_CERT_PARSE: 'The file is not a certificate: check that it is evaluation.cert.json and complete (not truncated).',
    E_CERT_SCHEMA: 'The certificate was edited or written by an incompatible version. Re-create it with this version of invarlock.',
    E_CERT_TOO_LARGE: 'The file exceeds the size accepted from untrusted input; it is probably not a certificate.',
    E_ACTION_INPUT: 'Fix the input the message names in the workflow file (docs/action.md lists every input and its values).',
    E_DOCKER: 'Docker is missing or the image could not run. Install Docker on the runner, check the image reference and registry access, or use execution-mode: host.',
    E_GPU_UNAVAILABLE: 'Install the NVIDIA container toolkit and a driver new enough for the image, or use gpus: none for CPU.',
    E_GITHUB_API: 'GitHub\'s API kept failing (outage, missing permission). Check the workflow\'s permissions (checks: write, pull-requests: write) and retry the job.',
    E_TIMEOUT: 'The evaluation needed longer than timeout-minutes. Raise it, shard the run, use a GPU, or a smaller profile.',
    E_HOST_RUNTIME: 'npm could not install onnxruntime-node on the runner (no registry access, a hash mismatch). Allow the npm registry or use container mode.',
    E_CERT_PATH: 'A certificate or shard partial names a path out of its folder: it was tampered with. Use files written by invarlock.',
    E_CERT_VERIFY: 'The certificate does not re-derive: it was edited, or written under another policy. `invarlock verify --json` names each failed check; re-create it rather than editing it.',
    E_CERT_DUPLICATE_KEY: 'An object holds the same key twice, which parsers read differently: the file was tampered with. Re-create it.',
    E_ADAPTER_IO: 'The export lacks an input or output the adapter feeds or reads (input_ids, attention_mask, logits; past key values in the wrong form). Re-export with the task the adapter expects (e.g. optimum text-generation-with-past), or name another --adapter.',
    E_CERT_POLICY: 'The certificate records thresholds other than the tier\'s own: it was made with overrides or edited. Verify with --policy FILE naming the policy you accept, or re-create it without overrides.',
    E_CERT_SIGNATURE: 'The Sigstore bundle is missing, for other bytes, or signed by another workflow. Check --certificate-identity / --certificate-oidc-issuer (exact URL), and keep evaluation.cert.sigstore.json beside the certificate.',
    E_INTERNAL: 'A bug in invarlock: please report it with the command, the configuration and `--verbose` output.',
};
/** What to do about each `invarlock doctor` finding. */
const DOCTOR_FINDING_FIXES = {
    D_MEMORY_PLAN: 'Nothing to fix: this is the plan certify would use. Pass --max-memory to see the plan under another budget.',
    D_MEMORY_SHORT: 'Raise --max-memory, free memory, or use a larger machine; the finding says how much the run needs.',
    D_NODE_VERSION: 'Install Node.js 20 or newer.',
    D_ORT_MISSING: 'Install it: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (the CPU provider ships inside), or use the runtime image.',
    D_CUDA_UNAVAILABLE: 'Use the CUDA runtime image, install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 and CUDA 12 / cuDNN 9, or pass --device cpu.',
    D_CUDA_ABSENT: 'Nothing to do for CPU runs; for GPU runs use the CUDA runtime image.',
    D_CONFIG_INVALID: 'Fix the field the finding names (contracts/config.schema.json lists every key).',
    D_MODEL_UNRESOLVED: 'Check the path, that config.json and tokenizer.json sit beside model.onnx, or download the hf: reference with --allow-network.',
    D_NETWORK_NEEDED: 'Pass --allow-network once to fill the cache, or point at local copies.',
    D_TOKENIZER_DIFFERS: 'Usually harmless (certify checks ids on the data); to be sure, give both models the same tokenizer.json.',
    D_DATASET_UNKNOWN: 'Use --dataset wikitext2, text:PATH or jsonl:PATH#field.',
    D_DATASET_MISSING: 'Check the dataset path, or give wikitext2 a local file with --dataset-path.',
    D_DATASET_SMALL: 'Give more text, or lower --preview-n/--final-n or --seq-len.',
    D_BOOTSTRAP_LOW: 'Use a profile with more replicates (ci or release) for evidence you rely on.',
    D_COVERAGE: 'Raise --preview-n/--final-n to the tier\'s floors, or accept that the run raises them.',
    D_DEV_PROFILE: 'Use --profile ci or release for evidence that gates a merge or a release.',
    D_DISK_LOW: 'Free disk space (at least twice the model size) or point TMPDIR at a larger disk.',
};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./build/src/errors/untrusted-file.js
/**
 * The one way invarlock opens a file it did not write (configs, tokenizers, certificates, external
 * data, adapters, event payloads): regular files only, never a FIFO, device or directory (a FIFO
 * blocks `open` forever; /dev/zero never ends), size checked before any byte is read, and, where the
 * file must stay inside a directory, its real path (every symlink resolved) checked to lie there.
 * Each refusal is an {@link InvarlockError} with a code whose exit status says "your input" (2);
 * only genuine I/O failures are `E_FILE_READ` (3). Issue #13 items 4, 7 and 8.
 */




/** `O_NONBLOCK` makes `open` return at once on a FIFO that slipped past the type check. */
const OPEN_FLAGS = external_node_fs_namespaceObject.constants.O_RDONLY | (external_node_fs_namespaceObject.constants.O_NONBLOCK ?? 0);
function errnoOf(error) {
    return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
function kindOf(stats) {
    if (stats.isDirectory())
        return 'a directory';
    if (stats.isFIFO())
        return 'a FIFO (named pipe)';
    if (stats.isCharacterDevice())
        return 'a character device';
    if (stats.isBlockDevice())
        return 'a block device';
    if (stats.isSocket())
        return 'a socket';
    return 'not a regular file';
}
/** True when `child` is `root` or lies under it (both absolute, already real). */
function isPathInside(root, child) {
    const rel = path.relative(root, child);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
function checkPathText(file, options) {
    if (file.includes('\0')) {
        throw new InvarlockError('E_PATH_INVALID', `${options.what} path contains a NUL byte`, { details: { file: JSON.stringify(file), field: options.what } });
    }
}
function mapError(error, file, options) {
    if (error instanceof InvarlockError)
        return error;
    const errno = errnoOf(error);
    const details = { file };
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
        return new InvarlockError(options.missingCode ?? 'E_FILE_NOT_FOUND', `${options.what} ${file} does not exist`, { details, cause: error });
    }
    if (errno === 'ENAMETOOLONG' || errno === 'ELOOP' || errno === 'ERR_INVALID_ARG_VALUE' || errno === 'ERR_INVALID_ARG_TYPE') {
        const why = errno === 'ENAMETOOLONG' ? 'is too long' : errno === 'ELOOP' ? 'has too many levels of symbolic links' : 'is not a valid path';
        return new InvarlockError('E_PATH_INVALID', `${options.what} path ${why}`, { details: { file: file.slice(0, 256) }, cause: error });
    }
    if (errno === 'EISDIR')
        return new InvarlockError('E_FILE_TYPE', `${options.what} ${file} is a directory, not a file`, { details, cause: error });
    return wrapError(error, 'E_FILE_READ', `cannot read ${options.what} ${file}`, { details });
}
function checkStats(stats, file, options) {
    if (!stats.isFile()) {
        throw new InvarlockError('E_FILE_TYPE', `${options.what} ${file} is ${kindOf(stats)}, not a regular file`, {
            details: { file, expected: 'a regular file', actual: kindOf(stats) },
            hint: 'Give the path of a regular file (pipes, devices and directories are refused).',
        });
    }
    if (stats.size > options.maxBytes) {
        throw new InvarlockError(options.tooLargeCode ?? 'E_FILE_TOO_LARGE', `${options.what} ${file} has ${stats.size} bytes, more than the ${options.maxBytes} accepted`, {
            details: { file, expected: `at most ${options.maxBytes} bytes`, actual: String(stats.size) },
        });
    }
}
function checkInside(realPath, realRoot, file, options) {
    if (!isPathInside(realRoot, realPath)) {
        throw new InvarlockError('E_PATH_ESCAPE', `${options.what} ${file} resolves to ${realPath}, outside ${realRoot}`, {
            details: { file, expected: `a file inside ${realRoot}`, actual: realPath },
            hint: 'Symbolic links may not lead out of the directory; copy the file in instead.',
        });
    }
}
/**
 * Opens an untrusted file for reading after checking its type, size and (with `within`) real
 * location; the caller closes `fd`. Throws `options.missingCode` (default `E_FILE_NOT_FOUND`),
 * `E_PATH_INVALID` (NUL byte, too long, symlink loop), `E_FILE_TYPE`, `E_FILE_TOO_LARGE`,
 * `E_PATH_ESCAPE` (exit 2) or `E_FILE_READ` (exit 3).
 */
function openUntrustedFileSync(file, options) {
    checkPathText(file, options);
    let fd;
    try {
        checkStats(fs.statSync(file), file, options);
        const realPath = fs.realpathSync(file);
        if (options.within !== undefined)
            checkInside(realPath, fs.realpathSync(options.within), file, options);
        fd = fs.openSync(realPath, OPEN_FLAGS);
        const stats = fs.fstatSync(fd);
        checkStats(stats, file, options);
        return { fd, sizeBytes: stats.size, realPath };
    }
    catch (error) {
        if (fd !== undefined)
            fs.closeSync(fd);
        throw mapError(error, file, options);
    }
}
/** Reads an untrusted file whole, with the checks of {@link openUntrustedFileSync}. */
function readUntrustedFileSync(file, options) {
    const opened = openUntrustedFileSync(file, options);
    try {
        const out = Buffer.allocUnsafe(opened.sizeBytes);
        let done = 0;
        while (done < out.length) {
            const read = fs.readSync(opened.fd, out, done, out.length - done, done);
            if (read === 0)
                break;
            done += read;
        }
        return done === out.length ? out : out.subarray(0, done);
    }
    catch (error) {
        throw mapError(error, file, options);
    }
    finally {
        fs.closeSync(opened.fd);
    }
}
/** Async {@link readUntrustedFileSync}: same checks and codes, without blocking the event loop on reads. */
async function readUntrustedFile(file, options) {
    checkPathText(file, options);
    let handle;
    try {
        checkStats(await fsp.stat(file), file, options);
        const realPath = await fsp.realpath(file);
        if (options.within !== undefined)
            checkInside(realPath, await fsp.realpath(options.within), file, options);
        handle = await fsp.open(realPath, OPEN_FLAGS);
        const stats = await handle.stat();
        checkStats(stats, file, options);
        const out = Buffer.allocUnsafe(stats.size);
        let done = 0;
        while (done < out.length) {
            const { bytesRead } = await handle.read(out, done, out.length - done, done);
            if (bytesRead === 0)
                break;
            done += bytesRead;
        }
        return done === out.length ? out : out.subarray(0, done);
    }
    catch (error) {
        throw mapError(error, file, options);
    }
    finally {
        await handle?.close();
    }
}
/** Reads an untrusted UTF-8 text file (see {@link readUntrustedFile}). */
async function readUntrustedText(file, options) {
    return (await readUntrustedFile(file, options)).toString('utf8');
}
/**
 * Like {@link readUntrustedText}, but `null` when the file does not exist (optional files such as
 * `tokenizer_config.json`). Every other refusal still throws.
 */
async function readOptionalUntrustedText(file, options) {
    try {
        return await readUntrustedText(file, { ...options, missingCode: 'E_FILE_NOT_FOUND' });
    }
    catch (error) {
        if (error instanceof InvarlockError && error.code === 'E_FILE_NOT_FOUND')
            return null;
        throw error;
    }
}
/**
 * The directory a model's files must stay inside: the model directory itself, or, for a snapshot of
 * a Hugging Face cache (`…/models--org--name/snapshots/<commit>/…`), the repository folder, whose
 * `blobs/` the snapshot's symlinks point into.
 */
function modelFilesRoot(directory) {
    const parts = path.resolve(directory).split(path.sep);
    for (let i = parts.length - 2; i >= 1; i--) {
        if (parts[i] === 'snapshots' && /^(models|datasets)--/.test(parts[i - 1] ?? ''))
            return parts.slice(0, i).join(path.sep) || path.sep;
    }
    return path.resolve(directory);
}
/** Size limits of the files read through this module, in bytes (one table, so reviews see them). */
const UNTRUSTED_FILE_LIMITS = Object.freeze({
    /** Run configuration (YAML/JSON). */
    configBytes: 4 * 1024 * 1024,
    /** config.json, genai_config.json, tokenizer_config.json, special_tokens_map.json, adapter_config.json. */
    modelJsonBytes: 16 * 1024 * 1024,
    /** tokenizer.json (the largest real ones are ~35 MB). */
    tokenizerBytes: 256 * 1024 * 1024,
    /** A LoRA adapter's safetensors file. */
    loraBytes: 4 * 1024 * 1024 * 1024,
    /** A GitHub event payload (webhooks are capped at 25 MB). */
    eventBytes: 32 * 1024 * 1024,
    /** External data files and .onnx files (read in ranges; the limit only refuses absurd sizes). */
    modelBytes: 2 ** 50,
});

;// CONCATENATED MODULE: ./build/src/errors/index.js






;// CONCATENATED MODULE: ./build/src/guards/linalg/power-iteration.js
/** Norm floor of the power iteration (ALGORITHMS.md §5): a zero matrix gives σ̂ = 1e-12, not NaN. */
const NORM_FLOOR = 1e-12;
/**
 * Largest singular value of a row-major `rows × cols` float32 matrix by power iteration, exactly as
 * ALGORITHMS.md §5: v₀ = 1/√cols (all ones); `iters` times u = Wv, σ = max(‖u‖, 1e-12), u /= σ,
 * v = Wᵀu, v /= max(‖v‖, 1e-12); returns the last σ, or 0 when it is not finite (a NaN/Inf entry).
 * Float64 arithmetic throughout. Each iteration reads W once: Wᵀu is accumulated row by row while the
 * row is in cache (Wᵀ(u/σ) = (Σ_i u_i W_i)/σ, the same value up to rounding).
 * Golden: reshape(0..11, 3×4)/7 − 0.5 → 1.91851498 (float64; 1.9185151 in float32).
 * @param iters iterations, ≥ 1 (the tiers use 4).
 */
function spectralNormPowerIteration(data, rows, cols, iters) {
    if (rows === 0 || cols === 0)
        return 0;
    const v = new Float64Array(cols).fill(1 / Math.sqrt(cols));
    const z = new Float64Array(cols);
    let sigma = 0;
    for (let it = 0; it < iters; it++) {
        sigma = powerStep(data, rows, cols, v, z);
        if (!Number.isFinite(sigma))
            return 0;
    }
    return sigma;
}
/**
 * One power-iteration step in place: returns σ = max(‖Wv‖, 1e-12) and leaves the next unit v in `v`.
 * `z` is scratch of length `cols`.
 * @internal
 */
function powerStep(data, rows, cols, v, z) {
    z.fill(0);
    let uSquared = 0;
    for (let i = 0; i < rows; i++) {
        const u = rowDot(data, i * cols, cols, v);
        uSquared += u * u;
        if (u !== 0)
            rowAxpy(data, i * cols, cols, u, z);
    }
    const sigma = Math.max(Math.sqrt(uSquared), NORM_FLOOR);
    normalizeInto(z, sigma, v);
    return sigma;
}
/** v = (z/σ) / max(‖z/σ‖, 1e-12). @internal */
function normalizeInto(z, sigma, v) {
    let squared = 0;
    for (let j = 0; j < z.length; j++) {
        const x = z[j] / sigma;
        squared += x * x;
    }
    const norm = Math.max(Math.sqrt(squared), NORM_FLOOR);
    for (let j = 0; j < z.length; j++)
        v[j] = z[j] / sigma / norm;
}
/** Σ_j W[base + j]·v[j], four accumulators to break the add chain. @internal */
function rowDot(data, base, cols, v) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
        s0 += data[base + j] * v[j];
        s1 += data[base + j + 1] * v[j + 1];
        s2 += data[base + j + 2] * v[j + 2];
        s3 += data[base + j + 3] * v[j + 3];
    }
    for (; j < cols; j++)
        s0 += data[base + j] * v[j];
    return s0 + s1 + (s2 + s3);
}
/** z[j] += a·W[base + j]. @internal */
function rowAxpy(data, base, cols, a, z) {
    for (let j = 0; j < cols; j++)
        z[j] += a * data[base + j];
}

;// CONCATENATED MODULE: ./build/src/guards/linalg/activation-rmt.js

/**
 * RMT activation statistic (ALGORITHMS.md §5): scalar standardisation μ = mean(A),
 * σ² = max(mean(A²) − μ², 1e-12); `iters` power iterations on the implicit B = (A − μ)/σ from
 * v = 1/√n (same clamps as the weight power iteration; B is never formed: Bv = (Av − μΣv)/σ,
 * Bᵀu = (Aᵀu − μΣu)/σ); r = σ̂ / (√m + √n).
 * Golden: A = reshape(0..23, 6×4)^1.3/10 → σ̂ = 4.8385477, r = 1.0874388.
 * @param data row-major `[tokens, features]`.
 */
function computeActivationRmt(data, tokens, features, options) {
    const edge = Math.sqrt(tokens) + Math.sqrt(features);
    const count = tokens * features;
    let sum = 0;
    let sumSquares = 0;
    let nonFinite = 0;
    for (let i = 0; i < count; i++) {
        const a = data[i];
        if (!Number.isFinite(a)) {
            nonFinite++;
            continue;
        }
        sum += a;
        sumSquares += a * a;
    }
    if (nonFinite > 0 || count === 0)
        return { tokens, features, mean: 0, std: 0, sigmaMax: 0, edge, ratio: 0, nonFinite };
    const mean = sum / count;
    const std = Math.sqrt(Math.max(sumSquares / count - mean * mean, 1e-12));
    const v = new Float64Array(features).fill(1 / Math.sqrt(features));
    const z = new Float64Array(features);
    let sigma = 0;
    for (let it = 0; it < options.iters; it++) {
        let vSum = 0;
        for (let j = 0; j < features; j++)
            vSum += v[j];
        const shift = mean * vSum;
        z.fill(0);
        let uSquared = 0;
        let uSum = 0;
        for (let i = 0; i < tokens; i++) {
            const u = (rowDot(data, i * features, features, v) - shift) / std;
            uSquared += u * u;
            uSum += u;
            if (u !== 0)
                rowAxpy(data, i * features, features, u, z);
        }
        sigma = Math.max(Math.sqrt(uSquared), NORM_FLOOR);
        // v = Bᵀ(u/σ) = (Aᵀu − μ·Σu)/(std·σ), then normalised.
        let squared = 0;
        for (let j = 0; j < features; j++) {
            const x = (z[j] - mean * uSum) / std / sigma;
            z[j] = x;
            squared += x * x;
        }
        const norm = Math.max(Math.sqrt(squared), NORM_FLOOR);
        for (let j = 0; j < features; j++)
            v[j] = z[j] / norm;
    }
    const sigmaMax = Number.isFinite(sigma) ? sigma : 0;
    return { tokens, features, mean, std, sigmaMax, edge, ratio: sigmaMax / edge, nonFinite: 0 };
}

;// CONCATENATED MODULE: ./build/src/guards/linalg/symmetric-eigenvalues.js
/**
 * Eigenvalues of a small symmetric `k × k` matrix (row-major, float64) by cyclic Jacobi rotations,
 * in descending order. For the Rayleigh–Ritz step of the block power iteration (k ≤ a few dozen).
 * @internal
 */
function symmetricEigenvalues(matrix, k) {
    const a = Float64Array.from(matrix);
    for (let sweep = 0; sweep < 100; sweep++) {
        let off = 0;
        for (let p = 0; p < k; p++)
            for (let q = p + 1; q < k; q++)
                off += a[p * k + q] ** 2;
        if (off < 1e-30)
            break;
        for (let p = 0; p < k; p++) {
            for (let q = p + 1; q < k; q++) {
                const apq = a[p * k + q];
                if (apq === 0)
                    continue;
                const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
                const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                const c = 1 / Math.sqrt(t * t + 1);
                const s = t * c;
                for (let r = 0; r < k; r++) {
                    const arp = a[r * k + p];
                    const arq = a[r * k + q];
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for (let r = 0; r < k; r++) {
                    const apr = a[p * k + r];
                    const aqr = a[q * k + r];
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
            }
        }
    }
    const values = [];
    for (let i = 0; i < k; i++)
        values.push(a[i * k + i]);
    return values.sort((x, y) => y - x);
}

;// CONCATENATED MODULE: ./build/src/guards/linalg/top-singular-values.js

/**
 * The k largest singular values of a row-major float32 matrix by block power (subspace) iteration:
 * V₀ = orthonormalised {@link initialSubspace}; `iters` times U = orth(W·V), V = orth(Wᵀ·U)
 * (modified Gram–Schmidt, float64); then Rayleigh–Ritz: the eigenvalues of (WV)ᵀ(WV) give σ².
 * Descending; lower bounds that converge at the rate (σ_{k+1}/σ_i)^(2·iters).
 */
function topSingularValues(data, rows, cols, options) {
    const k = Math.min(options.k, rows, cols);
    if (k <= 0)
        return [];
    const v = initialSubspace(cols, k);
    orthonormalizeColumns(v, cols, k);
    const u = new Float64Array(rows * k);
    for (let it = 0; it < options.iters; it++) {
        multiplyBlock(data, rows, cols, v, k, u);
        orthonormalizeColumns(u, rows, k);
        multiplyTransposedBlock(data, rows, cols, u, k, v);
        orthonormalizeColumns(v, cols, k);
    }
    multiplyBlock(data, rows, cols, v, k, u);
    const gram = new Float64Array(k * k);
    for (let i = 0; i < rows; i++) {
        const base = i * k;
        for (let p = 0; p < k; p++) {
            const up = u[base + p];
            if (up === 0)
                continue;
            for (let q = p; q < k; q++)
                gram[p * k + q] += up * u[base + q];
        }
    }
    for (let p = 0; p < k; p++)
        for (let q = 0; q < p; q++)
            gram[p * k + q] = gram[q * k + p];
    return symmetricEigenvalues(gram, k).map((lambda) => Math.sqrt(Math.max(lambda, 0)));
}
/**
 * The deterministic start block of {@link topSingularValues}: `n × k` row-major, uniform in [−1, 1)
 * from mulberry32 seeded with 0x5eed + n·31 + k (so references in other languages can rebuild it).
 * @internal
 */
function initialSubspace(n, k) {
    let state = (0x5eed + n * 31 + k) >>> 0;
    const out = new Float64Array(n * k);
    for (let i = 0; i < out.length; i++) {
        // mulberry32
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        out[i] = 2 * unit - 1;
    }
    return out;
}
/**
 * out (rows × k) = W (rows × cols) · block (cols × k), eight block columns per sweep of a row (then
 * four, then one) so the sums stay in registers and W is read once per eight columns. Each output is
 * one sum over j in ascending order whatever the grouping, so the bits do not depend on it.
 */
function multiplyBlock(data, rows, cols, block, k, out) {
    for (let i = 0; i < rows; i++) {
        const base = i * cols;
        const o = i * k;
        let c = 0;
        for (; c + 7 < k; c += 8) {
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            let a4 = 0;
            let a5 = 0;
            let a6 = 0;
            let a7 = 0;
            for (let j = 0, b = c; j < cols; j++, b += k) {
                const w = data[base + j];
                a0 += w * block[b];
                a1 += w * block[b + 1];
                a2 += w * block[b + 2];
                a3 += w * block[b + 3];
                a4 += w * block[b + 4];
                a5 += w * block[b + 5];
                a6 += w * block[b + 6];
                a7 += w * block[b + 7];
            }
            out[o + c] = a0;
            out[o + c + 1] = a1;
            out[o + c + 2] = a2;
            out[o + c + 3] = a3;
            out[o + c + 4] = a4;
            out[o + c + 5] = a5;
            out[o + c + 6] = a6;
            out[o + c + 7] = a7;
        }
        for (; c + 3 < k; c += 4) {
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            for (let j = 0, b = c; j < cols; j++, b += k) {
                const w = data[base + j];
                a0 += w * block[b];
                a1 += w * block[b + 1];
                a2 += w * block[b + 2];
                a3 += w * block[b + 3];
            }
            out[o + c] = a0;
            out[o + c + 1] = a1;
            out[o + c + 2] = a2;
            out[o + c + 3] = a3;
        }
        for (; c < k; c++) {
            let a0 = 0;
            for (let j = 0, b = c; j < cols; j++, b += k)
                a0 += data[base + j] * block[b];
            out[o + c] = a0;
        }
    }
}
/**
 * out (cols × k) = Wᵀ · block (rows × k), eight block columns per sweep of a row (then four, then
 * one). Each output accumulates over i in ascending order whatever the grouping (same bits).
 */
function multiplyTransposedBlock(data, rows, cols, block, k, out) {
    out.fill(0);
    for (let i = 0; i < rows; i++) {
        const base = i * cols;
        const u = i * k;
        let c = 0;
        for (; c + 7 < k; c += 8) {
            const u0 = block[u + c];
            const u1 = block[u + c + 1];
            const u2 = block[u + c + 2];
            const u3 = block[u + c + 3];
            const u4 = block[u + c + 4];
            const u5 = block[u + c + 5];
            const u6 = block[u + c + 6];
            const u7 = block[u + c + 7];
            for (let j = 0, o = c; j < cols; j++, o += k) {
                const w = data[base + j];
                out[o] += w * u0;
                out[o + 1] += w * u1;
                out[o + 2] += w * u2;
                out[o + 3] += w * u3;
                out[o + 4] += w * u4;
                out[o + 5] += w * u5;
                out[o + 6] += w * u6;
                out[o + 7] += w * u7;
            }
        }
        for (; c + 3 < k; c += 4) {
            const u0 = block[u + c];
            const u1 = block[u + c + 1];
            const u2 = block[u + c + 2];
            const u3 = block[u + c + 3];
            for (let j = 0, o = c; j < cols; j++, o += k) {
                const w = data[base + j];
                out[o] += w * u0;
                out[o + 1] += w * u1;
                out[o + 2] += w * u2;
                out[o + 3] += w * u3;
            }
        }
        for (; c < k; c++) {
            const u0 = block[u + c];
            for (let j = 0, o = c; j < cols; j++, o += k)
                out[o] += data[base + j] * u0;
        }
    }
}
/** Modified Gram–Schmidt on the k columns of an n × k row-major block, twice for stability; a dependent column becomes 0. */
function orthonormalizeColumns(block, n, k) {
    for (let pass = 0; pass < 2; pass++) {
        for (let c = 0; c < k; c++) {
            for (let p = 0; p < c; p++) {
                let dot = 0;
                for (let i = 0; i < n; i++)
                    dot += block[i * k + c] * block[i * k + p];
                if (dot === 0)
                    continue;
                for (let i = 0; i < n; i++)
                    block[i * k + c] -= dot * block[i * k + p];
            }
            let squared = 0;
            for (let i = 0; i < n; i++)
                squared += block[i * k + c] ** 2;
            const norm = Math.sqrt(squared);
            const scale = norm > 1e-300 ? 1 / norm : 0;
            for (let i = 0; i < n; i++)
                block[i * k + c] *= scale;
        }
    }
}

;// CONCATENATED MODULE: ./build/src/guards/linalg/matrix-stats.js


/**
 * Computes {@link MatrixStats} of a row-major float32 matrix. The first power-iteration step (v₀ is
 * constant, so Wv₀ is the row sums over √cols) shares its read of W with the norms, sums and the
 * non-finite scan; the remaining `powerIters − 1` steps read W once each, the MP top-k 2·mpIters + 1 times.
 * Float64 accumulators throughout; the same numbers on every thread.
 */
function computeMatrixStats(data, rows, cols, options) {
    const count = rows * cols;
    const rowNorms = new Float64Array(rows);
    const colSquares = new Float64Array(cols);
    const z = new Float64Array(cols);
    const inverseSqrtCols = cols > 0 ? 1 / Math.sqrt(cols) : 0;
    let sum = 0;
    let sumSquares = 0;
    let uSquared = 0;
    let nonFinite = 0;
    let firstNonFiniteIndex = -1;
    for (let i = 0; i < rows; i++) {
        const base = i * cols;
        let rowSum = 0;
        let rowSquares = 0;
        for (let j = 0; j < cols; j++) {
            const w = data[base + j];
            rowSum += w;
            rowSquares += w * w;
        }
        // A float32 squared cannot overflow float64, so a non-finite sum means a non-finite entry.
        if (!Number.isFinite(rowSquares)) {
            for (let j = 0; j < cols; j++) {
                if (Number.isFinite(data[base + j]))
                    continue;
                if (firstNonFiniteIndex < 0)
                    firstNonFiniteIndex = base + j;
                nonFinite++;
            }
            continue;
        }
        sum += rowSum;
        sumSquares += rowSquares;
        rowNorms[i] = Math.sqrt(rowSquares);
        const u = rowSum * inverseSqrtCols;
        uSquared += u * u;
        for (let j = 0; j < cols; j++) {
            const w = data[base + j];
            z[j] += u * w;
            colSquares[j] += w * w;
        }
    }
    if (nonFinite > 0 || count === 0)
        return emptyStats(rows, cols, nonFinite, firstNonFiniteIndex);
    let sigma = 0;
    if (options.powerIters > 0) {
        const v = new Float64Array(cols);
        sigma = Math.max(Math.sqrt(uSquared), NORM_FLOOR);
        normalizeInto(z, sigma, v);
        for (let it = 1; it < options.powerIters; it++)
            sigma = powerStep(data, rows, cols, v, z);
        if (!Number.isFinite(sigma))
            sigma = 0;
    }
    const colNorms = colSquares.map(Math.sqrt);
    const mean = sum / count;
    const std = Math.sqrt(Math.max(sumSquares / count - mean * mean, 0));
    const frobeniusSquared = sumSquares;
    return {
        rows,
        cols,
        nonFinite: 0,
        firstNonFiniteIndex: -1,
        frobeniusNorm: Math.sqrt(frobeniusSquared),
        sigmaMax: sigma,
        stableRank: sigma > 0 ? frobeniusSquared / (sigma * sigma) : 0,
        rowNormMin: minOf(rowNorms),
        rowNormMedian: medianOf(rowNorms),
        colNormMin: minOf(colNorms),
        colNormMedian: medianOf(colNorms),
        mean,
        std,
        mp: options.mpTopK > 0 ? mpOutliers(data, rows, cols, std, options) : null,
    };
}
function mpOutliers(data, rows, cols, std, options) {
    const edge = std * (Math.sqrt(rows) + Math.sqrt(cols));
    const values = topSingularValues(data, rows, cols, { k: options.mpTopK, iters: options.mpIters });
    const count = values.filter((s) => s > edge).length;
    return { edge, topSingularValues: values, count, isSaturated: values.length > 0 && count === values.length };
}
function emptyStats(rows, cols, nonFinite, firstNonFiniteIndex) {
    return {
        rows,
        cols,
        nonFinite,
        firstNonFiniteIndex,
        frobeniusNorm: 0,
        sigmaMax: 0,
        stableRank: 0,
        rowNormMin: 0,
        rowNormMedian: 0,
        colNormMin: 0,
        colNormMedian: 0,
        mean: 0,
        std: 0,
        mp: null,
    };
}
function minOf(values) {
    let min = Infinity;
    for (const value of values)
        min = Math.min(min, value);
    return values.length === 0 ? 0 : min;
}
/** Median, the mean of the two middle values for an even count (numpy's definition). */
function medianOf(values) {
    if (values.length === 0)
        return 0;
    const sorted = Float64Array.from(values).sort();
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

;// CONCATENATED MODULE: ./build/src/guards/linalg/kernel-tasks.js



function runKernelTask(task) {
    switch (task.kind) {
        case 'matrix-stats':
            return computeMatrixStats(task.data, task.rows, task.cols, task.options);
        case 'activation-rmt':
            return computeActivationRmt(task.data, task.rows, task.cols, task.options);
        default: {
            const unreachable = task;
            return unreachable;
        }
    }
}
/**
 * Hosts the kernels on a worker's `parentPort`: says `ready`, then answers each task. The worker
 * entry (`kernel-worker.ts`) calls it; a bundled program that starts itself as the kernel worker
 * (see `KernelPoolOptions.workerUrl`) calls it too.
 */
function serveKernelTasks(port) {
    port.on('message', (message) => {
        try {
            const result = runKernelTask(message.task);
            port.postMessage({ type: 'result', id: message.id, result });
        }
        catch (error) {
            const code = error instanceof Error && 'code' in error && isErrorCode(error.code) ? error.code : null;
            const reply = { type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error), code };
            port.postMessage(reply);
        }
    });
    port.postMessage({ type: 'ready' });
}

;// CONCATENATED MODULE: ./build/src/guards/linalg/kernel-worker.js
/**
 * Entry of a kernel worker thread (`worker_threads`): hosts the linear-algebra kernels. Started by
 * the kernel pool; from source (vitest, tsx) through a bootstrap that registers tsx first.
 */


if (external_node_worker_threads_namespaceObject.parentPort !== null)
    serveKernelTasks(external_node_worker_threads_namespaceObject.parentPort);

