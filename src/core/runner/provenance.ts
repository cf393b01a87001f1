import { cpus, totalmem } from 'node:os';
import packageJson from '../../../package.json' with { type: 'json' };
import { runtimeIdentity, type ExecutionProviderName } from '../../eval/index.js';
import { deriveSeed } from '../../stats/index.js';
import type { Provenance, Seeds } from '../../report/index.js';
import type { Policy } from '../policy/index.js';

/** The tool's own version (package.json). */
export const TOOL_VERSION: string = packageJson.version;

/** The derived seed of each purpose (ALGORITHMS.md §7), from the run seed and the policy's offsets. */
export function seedsOf(runSeed: number, policy: Policy): Seeds {
  const o = policy.seed_offsets;
  return {
    run: runSeed,
    window_draw: deriveSeed(runSeed, o.window_draw),
    bootstrap: deriveSeed(runSeed, o.bootstrap),
    mlm_mask: deriveSeed(runSeed, o.mlm_mask),
    variance: deriveSeed(runSeed, o.variance),
  };
}

/** Options of {@link buildProvenance}. */
export interface ProvenanceOptions {
  readonly provider: ExecutionProviderName;
  readonly seeds: Seeds;
  /** Set by the Action in container mode. */
  readonly container: { readonly image: string; readonly digest: string } | null;
}

/**
 * Where and with what the run happened. CPU model and memory describe the host for CPU runs; a GPU
 * run names the provider, and the image digest pins the CUDA stack.
 */
export async function buildProvenance(options: ProvenanceOptions): Promise<Omit<Provenance, 'config_digest'>> {
  const runtime = await runtimeIdentity(options.provider);
  return {
    tool: { name: 'invarlock', version: TOOL_VERSION },
    node_version: process.version,
    onnxruntime_version: runtime.onnxruntime,
    execution_provider: options.provider,
    device:
      options.provider === 'cpu'
        ? { kind: 'cpu', name: cpus()[0]?.model.trim() ?? null, driver: null, memory_bytes: totalmem() }
        : { kind: 'gpu', name: null, driver: null, memory_bytes: null },
    platform: { os: process.platform, arch: process.arch },
    container: options.container,
    seeds: options.seeds,
  };
}
