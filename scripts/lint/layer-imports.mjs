/**
 * ESLint rule `invarlock/layer-imports` (STYLE.md §1): a file under `src/<layer>/` may import another
 * layer only through that layer's `index.ts` (its door), and only a layer below its own. The import
 * is resolved against the importing file, so the rule holds at every folder depth and for `import`,
 * `import type`, `export … from` and `import()` alike; imports that leave `src/` (the JSON contracts,
 * package.json) are not layer imports.
 */
import path from 'node:path';

/** Top to bottom: a layer may import only the layers after it. */
export const LAYER_ORDER = Object.freeze([
  'action',
  'cli',
  'core',
  'report',
  'guards',
  'edits',
  'eval',
  'adapters',
  'hub',
  'onnx',
  'stats',
  'contracts',
  'errors',
]);

const DOORS = new Set(['index.js', 'index.ts']);

/** The layer a path under `src/` belongs to and the rest of its path, or undefined outside any layer. */
function locate(srcDir, file) {
  const parts = path.relative(srcDir, file).split(path.sep);
  if (parts.length < 2 || parts[0] === '..' || !LAYER_ORDER.includes(parts[0])) return undefined;
  return { layer: parts[0], rest: parts.slice(1) };
}

export const layerImportsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Layers import only downward, through the other layer’s index.ts' },
    schema: [],
    messages: {
      pastDoor: "'{{source}}' reaches past the door of layer '{{target}}': import it from '{{target}}/index.js'.",
      upward: "Layer '{{layer}}' may not import '{{target}}' ('{{source}}'): imports point down ({{order}}).",
    },
  },
  create(context) {
    const filename = path.resolve(context.filename);
    const srcDir = path.join(context.cwd, 'src');
    const from = locate(srcDir, filename);
    if (from === undefined) return {};
    const check = (node) => {
      const source = node?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = locate(srcDir, path.resolve(path.dirname(filename), source));
      if (to === undefined || to.layer === from.layer) return;
      const data = { source, layer: from.layer, target: to.layer, order: LAYER_ORDER.join(' → ') };
      if (LAYER_ORDER.indexOf(to.layer) < LAYER_ORDER.indexOf(from.layer)) {
        context.report({ node, messageId: 'upward', data });
      } else if (to.rest.length !== 1 || !DOORS.has(to.rest[0])) {
        context.report({ node, messageId: 'pastDoor', data });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { 'layer-imports': layerImportsRule } };
