export { CUDA_PROVIDER_LIBRARIES, DEVICE_CHOICES, findOrtBindingDir, planExecutionProviders, probeCudaProviderLibraries, type DeviceRequest, type ExecutionProviderName } from './execution-provider.js';
export { loadOrt, type Ort } from './load-ort.js';
export { createRuntimeSession, runtimeIdentity, type RuntimeIdentity, type RuntimeSession, type SessionOptions } from './ort-session.js';
