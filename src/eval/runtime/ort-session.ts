import type { InferenceSession } from 'onnxruntime-node';
import { InvarlockError, wrapError } from '../../errors/index.js';
import { loadOrt } from './load-ort.js';
import { planExecutionProviders, probeCudaProviderLibraries, type DeviceRequest, type ExecutionProviderName } from './execution-provider.js';

/** How to create a session. */
export interface SessionOptions {
  readonly device: DeviceRequest;
  /** Intra-op threads; 0 lets onnxruntime choose. */
  readonly threads: number;
  /**
   * The folder the model's external data locations resolve against: onnxruntime reads (or maps) the
   * files itself, so none of them is copied into JS (ONNX.md §1.6).
   */
  readonly externalDataFolder?: string;
  /** Names the model in error messages. */
  readonly source: string;
  /**
   * Let onnxruntime pre-pack weights (its default: faster MatMuls, and a packed copy of each
   * weight). Off, the session keeps only the mapped file pages, but the sums run in another order
   * and losses differ in the last digits, so only the memory planner turns it off, when a run
   * cannot fit otherwise (bench/RESULTS.md "Scale"). @default true
   */
  readonly prepack?: boolean;
}

/** A created session and the provider it runs on. */
export interface RuntimeSession {
  readonly session: InferenceSession;
  readonly provider: ExecutionProviderName;
}

/** The onnxruntime identity recorded in provenance and in baseline-evaluation reuse keys. */
export interface RuntimeIdentity {
  readonly onnxruntime: string;
  readonly provider: ExecutionProviderName;
  readonly platform: string;
}

/** onnxruntime's version and the platform; the provider comes from the session. */
export async function runtimeIdentity(provider: ExecutionProviderName): Promise<RuntimeIdentity> {
  const ort = await loadOrt();
  return { onnxruntime: ort.env.versions.node ?? ort.env.versions.common, provider, platform: `${process.platform}-${process.arch}` };
}

/**
 * Creates an onnxruntime session from (small) model bytes whose weights stay in files. A `cuda` request without the CUDA provider
 * libraries fails with `E_EP_UNAVAILABLE` naming the missing files (never a silent CPU run); under
 * `auto` a CUDA failure falls back to CPU and `onFallback` is told why. Other failures are
 * `E_RUNTIME_LOAD` with onnxruntime's message as cause.
 */
export async function createRuntimeSession(
  model: Uint8Array,
  options: SessionOptions,
  onFallback: (reason: string) => void = () => {},
): Promise<RuntimeSession> {
  const ort = await loadOrt();
  const probe = probeCudaProviderLibraries();
  const plan = planExecutionProviders(options.device, probe.present);
  if (options.device === 'cuda' && !probe.present) {
    throw new InvarlockError('E_EP_UNAVAILABLE', `CUDA was requested for ${options.source}, but onnxruntime-node's CUDA provider libraries are missing: ${probe.missing.join(', ')}`, {
      details: { file: probe.dir ?? 'onnxruntime-node (not installed)', expected: probe.missing.join(', ') },
      hint: 'Use the CUDA runtime image, or install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine that can reach NuGet; or pass --device cpu.',
    });
  }
  let lastError: unknown;
  for (const provider of plan) {
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(options.threads > 0 ? { intraOpNumThreads: options.threads } : {}),
        interOpNumThreads: 1,
        // fatal only: onnxruntime prints its own errors to stderr otherwise; we report them ourselves
        logSeverityLevel: 4,
        extra: {
          session: {
            ...(options.externalDataFolder === undefined ? {} : { model_external_initializers_file_folder_path: options.externalDataFolder }),
            ...(options.prepack === false ? { disable_prepacking: '1' } : {}),
          },
        },
      });
      return { session, provider };
    } catch (error) {
      lastError = error;
      if (provider === 'cuda' && options.device === 'auto') {
        onFallback(`CUDA session for ${options.source} failed (${(error as Error).message}); running on CPU`);
        continue;
      }
      if (provider === 'cuda') {
        throw wrapError(error, 'E_EP_UNAVAILABLE', `the CUDA execution provider could not start for ${options.source}`, {
          details: { file: options.source },
          hint: 'Check the driver (nvidia-smi), the CUDA/cuDNN libraries on LD_LIBRARY_PATH (invarlock doctor lists them), or pass --device cpu.',
        });
      }
    }
  }
  throw wrapError(lastError, 'E_RUNTIME_LOAD', `onnxruntime could not load ${options.source}`, { details: { file: options.source } });
}
