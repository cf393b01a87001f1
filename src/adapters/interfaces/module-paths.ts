/**
 * Module paths from ONNX names (ONNX.md §3.5). TorchScript and the genai builder scope node names
 * by module (`/model/layers.0/self_attn/q_proj/MatMul`); parameters used as they are keep their
 * PyTorch name (`transformer.h.0.attn.c_attn.weight`); quantizers append suffixes to both.
 */

// Suffixes onnxruntime's quantizers and exporters append to initializer names (`<w>_Q4`,
// `<w>_DQ_Q4`, `<w>_quantized`, `<w>_scale(s)`, `<w>_zero_point(s)`), stripped repeatedly.
const QUANT_SUFFIX = /(?:_Q\d+|_DQ|_quantized|_scales?|_zero_points?|_int8|_uint8|_int4|_uint4)$/;
// Folded or renamed constants carry no module name: TorchScript `onnx::MatMul_123`, dynamo `val_12`.
const ANONYMOUS = /^(?:onnx::|val_\d|_val_\d|_v_\d)/;
// An op-type segment the genai builder puts before `.weight` (`…q_proj.MatMul.weight`).
const OP_SEGMENT = /^(?:MatMul|Gemm|Gather|MatMulNBits|GatherBlockQuantized)(?:_\d+)?$/;

/** An initializer name without quantizer suffixes: `onnx::MatMul_7_Q4` → `onnx::MatMul_7`. */
export function stripQuantSuffixes(name: string): string {
  let current = name;
  for (let next = current.replace(QUANT_SUFFIX, ''); next !== current && next.length > 0; next = current.replace(QUANT_SUFFIX, '')) current = next;
  return current;
}

/**
 * The module a node belongs to, from its scoped name: strip the leading `/`, drop the last segment
 * (the op, possibly with a quantizer suffix such as `MatMul_Q4`), join with `.`. Null for unscoped names.
 */
export function moduleOfNode(nodeName: string): string | null {
  if (!nodeName.startsWith('/')) return null;
  const parts = nodeName.slice(1).split('/');
  if (parts.length < 2 || parts.slice(0, -1).some((p) => p.length === 0)) return null;
  return parts.slice(0, -1).join('.');
}

/**
 * The module a PyTorch-named initializer belongs to: quantizer suffixes and `.weight` stripped
 * (and a genai op segment before it). Null for anonymous names (`onnx::MatMul_*`, `val_*`) and
 * for names that are not a module's weight (biases, buffers).
 */
export function moduleOfInitializer(name: string): string | null {
  if (ANONYMOUS.test(name)) return null;
  const stripped = stripQuantSuffixes(name);
  if (!stripped.endsWith('.weight')) return null;
  const parts = stripped.slice(0, -'.weight'.length).split('.');
  if (parts.length > 1 && OP_SEGMENT.test(parts[parts.length - 1] ?? '')) parts.pop();
  const module = parts.join('.');
  return module.length === 0 ? null : module;
}

/**
 * The module of a quantized initializer that a quantizer named after its consuming node rather
 * than the parameter (`h.0.attn.c_attn.Gemm_quantized`, `h.0.attn.c_attn.MatMul_Q4` → `h.0.attn.c_attn`):
 * suffixes stripped, then a trailing op segment. Null when no op segment ends the name.
 */
export function moduleOfNodeNamedInitializer(name: string): string | null {
  if (ANONYMOUS.test(name)) return null;
  const parts = stripQuantSuffixes(name).split(/[./]/).filter((p) => p.length > 0);
  if (parts.length < 2 || !OP_SEGMENT.test(parts[parts.length - 1] ?? '')) return null;
  return parts.slice(0, -1).join('.');
}

/**
 * The module a node belongs to by the dynamo exporter's node metadata (PyTorch
 * docs/source/onnx_dynamo.md): `pkg.torch.onnx.name_scopes` is the repr of a Python list of
 * cumulative module paths from the root (`''`) whose last entry is the node's own name
 * (`['', 'transformer', 'transformer.h.0', 'transformer.h.0.attn.c_attn', 'linear_3']`); `namespace`
 * spells the same as `name: class` pairs joined by `/`. The deepest module path; null without either.
 */
export function moduleOfMetadata(metadata: readonly { readonly key: string; readonly value: string }[] | undefined): string | null {
  if (metadata === undefined) return null;
  const scopes = metadata.find((m) => m.key === 'pkg.torch.onnx.name_scopes')?.value;
  if (scopes !== undefined) {
    const entries = [...scopes.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? m[2] ?? '');
    const module = entries.slice(0, -1).filter((e) => e.length > 0).at(-1);
    if (module !== undefined) return module;
  }
  const namespace = metadata.find((m) => m.key === 'namespace')?.value;
  if (namespace !== undefined) {
    const names = namespace.split('/').map((segment) => segment.slice(0, Math.max(0, segment.indexOf(':'))).trim());
    const module = names.slice(0, -1).filter((n) => n.length > 0).at(-1);
    if (module !== undefined) return module;
  }
  return null;
}
