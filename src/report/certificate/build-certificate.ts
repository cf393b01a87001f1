import { canonicalJson } from '../../contracts/index.js';
import { deriveSeed } from '../../stats/index.js';
import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import { certificateDigest, configDigest, planDigest, policyDigest, runId } from './certificate-digest.js';
import type { Certificate, Change, Guards, ModelIdentity } from './certificate-types.js';
import { deriveEvaluation } from '../derive/derive-evaluation.js';
import type { CertificateInput, ModelInput } from '../types.js';
import { certificateValidator } from './validate-certificate.js';

const MAX_LABEL_CHARS = 200;

/**
 * Builds the Evaluation Certificate from what a certify run measured. Pure and deterministic: the
 * same input gives the same certificate, byte for byte outside `timing`.
 *
 * Derived here, with the same functions `verifyCertificate` uses: per-window Δ, ratios, bootstrap
 * CIs, drift, tail quantiles, every gate and flag, the verdict and its reasons (src/eval), the
 * pairing check, and the digests: `policy_digest`, the edit's `plan_digest`, `config_digest`,
 * `run_id` and the certificate `digest`. The result is what a reader of the written file gets
 * (numbers survive the JSON round trip bit-exactly) and matches the schema.
 *
 * Throws `E_NONFINITE_LOSS` for a non-finite per-window loss (naming the window), and
 * `E_INTERNAL` for an input that cannot make a valid certificate (NaN or Infinity anywhere,
 * mismatched arrays, a bootstrap seed other than run seed + the policy's bootstrap offset, a
 * guard whose `evaluated` and `status` disagree, a result that fails the schema;
 * `details.problems` lists schema problems).
 */
export function buildCertificate(input: CertificateInput): Certificate {
  checkSeeds(input);
  checkGuards(input);
  const policy_digest = policyDigest(input.policy);
  const models = { baseline: modelIdentity(input.models.baseline), subject: modelIdentity(input.models.subject) };
  const derived = deriveEvaluation({
    outcome: input.outcome,
    metricKind: input.metricKind,
    windows: input.windows,
    pairing: input.pairing,
    tokenizers: { baseline: models.baseline.tokenizer_hash, subject: models.subject.tokenizer_hash, dataset: input.dataset.tokenizer_hash },
    guards: input.guards,
    guardOverhead: input.guardOverhead,
    policy: input.policy,
    bootstrapSeed: input.provenance.seeds.bootstrap,
    sequentialPlan: input.sequentialPlan ?? null,
  });
  const change: Change =
    input.change.kind === 'edit'
      ? {
          kind: 'edit',
          name: input.change.name,
          config: input.change.config,
          plan_digest: planDigest(input.change),
          params_changed: input.change.params_changed,
          modules_touched: input.change.modules_touched,
          rolled_back: input.change.rolled_back,
        }
      : { kind: 'compare', label: input.change.label, params_changed: input.change.params_changed, modules_touched: input.change.modules_touched };
  const provenance = { ...input.provenance, config_digest: configDigest(input.config) };
  const identity = { models, dataset: input.dataset, policy_digest, change, provenance };
  const body: Omit<Certificate, 'digest'> = {
    schema_version: 1,
    run_id: runId(identity),
    verdict: derived.verdict,
    validation: derived.validation,
    primary_metric: derived.primary_metric,
    windows: derived.windows,
    pairing: input.pairing,
    tail: derived.tail,
    guards: input.guards,
    guard_overhead: derived.guard_overhead,
    sequential: derived.sequential,
    change,
    models,
    dataset: input.dataset,
    policy: input.policy,
    policy_digest,
    provenance,
    timing: input.timing,
  };
  const cert = { ...body, digest: certificateDigest(body) };
  return roundTrip(cert);
}

// The certificate exactly as a reader of its file sees it: canonicalJson refuses what JSON cannot
// carry (NaN, Infinity, undefined in arrays), JSON text round-trips every double exactly and turns
// -0 into 0, and the schema must hold.
function roundTrip(cert: Certificate): Certificate {
  try {
    canonicalJson(cert);
  } catch (error) {
    if (isInvarlockError(error)) throw new InvarlockError('E_INTERNAL', `the certificate input holds a value JSON cannot carry: ${error.message}`, { details: error.details, cause: error });
    throw error;
  }
  const plain: unknown = JSON.parse(JSON.stringify(cert));
  const validator = certificateValidator();
  if (!validator.check(plain)) {
    const problems = validator.problems(plain);
    throw new InvarlockError('E_INTERNAL', `the built certificate does not match its schema: ${problems[0] ?? 'invalid'}`, { details: { problems } });
  }
  return plain;
}

// The bootstrap seed is recorded once and re-derived by verify from the run seed and the policy's
// offset; a runner that used another seed would write a certificate verify rejects.
function checkSeeds(input: CertificateInput): void {
  const seeds = input.provenance.seeds;
  const expected = deriveSeed(seeds.run, input.policy.seed_offsets.bootstrap);
  if (seeds.bootstrap !== expected) {
    throw new InvarlockError('E_INTERNAL', `the bootstrap seed ${seeds.bootstrap} is not the run seed ${seeds.run} plus the policy's bootstrap offset (${expected})`, {
      details: { field: 'provenance.seeds.bootstrap', expected: String(expected), actual: String(seeds.bootstrap) },
    });
  }
}

// A guard that did not run must say `not_evaluated`, and one that ran must say how it went:
// anything else would be a vacuous pass (or a silent skip) that verify rejects.
function checkGuards(input: CertificateInput): void {
  for (const [name, guard] of Object.entries(input.guards) as [string, Guards[keyof Guards]][]) {
    if (guard.evaluated === (guard.status === 'not_evaluated')) {
      throw new InvarlockError('E_INTERNAL', `guard ${name} says evaluated: ${guard.evaluated} with status ${guard.status}`, {
        details: { field: `guards.${name}.status`, expected: guard.evaluated ? 'pass, warn or fail' : 'not_evaluated', actual: guard.status },
      });
    }
  }
}

function modelIdentity(model: ModelInput): ModelIdentity {
  return {
    reference: model.reference,
    label: model.label ?? defaultLabel(model.reference),
    revision: model.revision,
    file_sha256: model.file_sha256,
    adapter: model.adapter,
    describe: model.describe,
    quantization_formats: model.quantization_formats,
    lora_adapters: model.lora_adapters,
    tokenizer_hash: model.tokenizer_hash,
    interface: model.interface ?? null,
  };
}

/**
 * A short display name from a model reference: `hf:openai-community/gpt2@main` → `gpt2`,
 * `./models/gpt2-int8/model.onnx` → `gpt2-int8`, `./gpt2-onnx/` → `gpt2-onnx`.
 * @internal
 */
export function defaultLabel(reference: string): string {
  const bare = reference.startsWith('hf:') ? reference.slice(3).replace(/@[^/]*$/, '') : reference;
  const parts = bare.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
  const last = parts.at(-1);
  const name = last !== undefined && /\.onnx$/i.test(last) && parts.length > 1 ? parts.at(-2) : last;
  const label = name ?? reference;
  const points = Array.from(label);
  return points.length > MAX_LABEL_CHARS ? points.slice(0, MAX_LABEL_CHARS).join('') : label === '' ? 'model' : label;
}
