import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What the user may ask for (`device:`, `--device`, the Action's `device` input). */
export const DEVICE_CHOICES = Object.freeze(['auto', 'cpu', 'cuda'] as const);
/** What the user asked for. */
export type DeviceRequest = (typeof DEVICE_CHOICES)[number];
/** The execution provider a session actually runs on. */
export type ExecutionProviderName = 'cpu' | 'cuda';

/** The three shared libraries onnxruntime-node needs for CUDA; they ship outside npm (ONNX.md §1.2). */
export const CUDA_PROVIDER_LIBRARIES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
] as const;

/** Where onnxruntime-node keeps its native binding for this platform, or null when not installed. */
export function findOrtBindingDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('onnxruntime-node/package.json');
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Presence of the CUDA provider libraries next to the binding: which are missing (by file name). */
export function probeCudaProviderLibraries(bindingDir: string | null = findOrtBindingDir()): { present: boolean; missing: string[]; dir: string | null } {
  if (bindingDir === null || process.platform !== 'linux') return { present: false, missing: [...CUDA_PROVIDER_LIBRARIES], dir: bindingDir };
  const missing = CUDA_PROVIDER_LIBRARIES.filter((lib) => !existsSync(join(bindingDir, lib)));
  return { present: missing.length === 0, missing, dir: bindingDir };
}

/**
 * The providers to try, in order. `cuda` never falls back silently; `auto` tries CUDA only when its
 * libraries are present, then CPU.
 */
export function planExecutionProviders(device: DeviceRequest, cudaLibrariesPresent: boolean): readonly ExecutionProviderName[] {
  switch (device) {
    case 'cpu':
      return ['cpu'];
    case 'cuda':
      return ['cuda'];
    case 'auto':
      return cudaLibrariesPresent ? ['cuda', 'cpu'] : ['cpu'];
    default: {
      const never: never = device;
      return never;
    }
  }
}
