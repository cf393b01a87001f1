/**
 * Inlining one branch of a top-level `If` (Optimum's merged decoders: `If(use_cache_branch)` with
 * the no-cache decoder in `else_branch` and the with-past one in `then_branch`). A scorer always
 * feeds the same condition, so it can run the branch it takes as the main graph: the branch's nodes
 * (and initializers) move up in place of the `If`, its outputs keep or take the `If`'s output names.
 * Values that lived inside the branch then become main-graph values, which is what activation taps
 * need: onnxruntime can only return main-graph values, never values inside a subgraph.
 *
 * Bytes are spliced, not re-encoded: a NodeProto or TensorProto field has the same tag (1 or 5) in
 * every GraphProto, so the branch's fields are copied as they are.
 */
import { ChunkWriter, concatChunks } from './chunk-writer.js';
import { encodeNode } from './proto-encoder.js';
import { applySplices } from './splice-plan.js';
import { editError } from './splice-writer.js';
import type { GraphRecord, ModelIndex, NodeRecord } from './types.js';

/** Which branch of an `If` runs: `then_branch` when the condition is true. */
export type IfBranch = 'then_branch' | 'else_branch';

/** A top-level `If` node, and the branch a fixed condition takes. */
export interface ScoredBranch {
  readonly node: NodeRecord;
  readonly branch: GraphRecord;
  readonly attribute: IfBranch;
}

/**
 * The branch taken by the top-level `If` whose condition is the graph input `condition` when it is
 * fed `value`; null when no top-level `If` reads that input directly.
 */
export function scoredBranchOf(index: ModelIndex, condition: string, value: boolean): ScoredBranch | null {
  const attribute: IfBranch = value ? 'then_branch' : 'else_branch';
  for (const node of index.graph.nodes) {
    if (node.opType !== 'If' || node.domain !== '' || node.inputs[0] !== condition) continue;
    const attr = node.attributes.find((a) => a.name === attribute);
    if (attr?.kind !== 'graph') continue;
    const branch = index.graphs.find((g) => g.id === attr.graphId);
    if (branch !== undefined) return { node, branch, attribute };
  }
  return null;
}

/**
 * The model with the top-level `If` named `nodeName` replaced by its `attribute` branch. Throws
 * `E_GRAPH_EDIT` when there is no such node, when the branch has sparse initializers (not moved),
 * or when its outputs do not match the node's.
 */
export function inlineIfBranch(index: ModelIndex, nodeName: string, attribute: IfBranch): Uint8Array {
  const node = index.graph.nodes.find((n) => n.name === nodeName && n.opType === 'If');
  const attr = node?.attributes.find((a) => a.name === attribute);
  const branch = attr?.kind === 'graph' ? index.graphs.find((g) => g.id === attr.graphId) : undefined;
  if (node === undefined || branch === undefined) throw editError(index, `cannot inline '${nodeName}': no top-level If with a ${attribute}`, {});
  if (branch.sparseInitializerNames.length > 0) throw editError(index, `cannot inline '${nodeName}': its ${attribute} has sparse initializers`, {});
  if (branch.outputs.length !== node.outputs.length) {
    throw editError(index, `cannot inline '${nodeName}': its ${attribute} has ${branch.outputs.length} outputs, the node ${node.outputs.length}`, {});
  }
  const chunks: Uint8Array[] = [];
  // initializers first, then the nodes in branch order (already topological within the branch)
  for (const tensor of index.graphs.flatMap((g) => (g.id === branch.id ? g.initializers : []))) chunks.push(index.bytes.subarray(tensor.span.start, tensor.span.end));
  for (const inner of branch.nodes) chunks.push(index.bytes.subarray(inner.span.start, inner.span.end));
  // a branch output named unlike the node's output it stands for gets an Identity to that name
  branch.outputs.forEach((output, i) => {
    const target = node.outputs[i]!;
    if (target === '' || target === output.name) return;
    const w = new ChunkWriter();
    w.messageField(1, encodeNode({ opType: 'Identity', inputs: [output.name], outputs: [target], name: `${nodeName}/${attribute}/output_${i}` }, undefined));
    chunks.push(...w.finish());
  });
  const result = applySplices(index.bytes, [{ start: node.span.start, end: node.span.end, chunks, enclosing: [...index.graph.enclosing, index.graph.span] }]);
  return concatChunks(result.chunks);
}
