import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

/**
 * dist/action and dist/post run from the Action's checkout, which has no node_modules: the
 * bundles must not load onnxruntime-node (its native binding cannot be bundled). This walks the
 * static (value) imports from the entry points and fails if any module on the way imports it.
 */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const statement = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(statement)) if (match[1] !== undefined) specs.push(match[1]);
  return specs;
}

function walk(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (target.endsWith('.json')) continue;
        queue.push(target.replace(/\.js$/, '.ts'));
      } else if (!packages.has(spec)) {
        packages.set(spec, file);
      }
    }
  }
  return { files, packages };
}

/**
 * ncc (webpack) turns `import('onnxruntime-node')` of an external into a static top-level import of
 * the bundle, so a dynamic import must carry `webpackIgnore: true` to stay dynamic.
 */
function unignoredDynamicImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?<!typeof\s)import\(\s*(\/\*[^*]*\*\/\s*)?['"](onnxruntime[^'"]*)['"]\s*\)/g)]
    .filter((m) => !/webpackIgnore:\s*true/.test(m[1] ?? ''))
    .map((m) => `${file}: ${m[0]}`);
}

describe('the Action bundles', () => {
  for (const entry of ['main.ts', 'post.ts', 'index.ts']) {
    it(`${entry} reaches no static import of onnxruntime-node`, () => {
      const { files, packages } = walk(join(REPO_ROOT, 'src', 'action', entry));
      expect(files.size).toBeGreaterThan(entry === 'post.ts' ? 3 : 20);
      expect(packages.has('@actions/core')).toBe(true);
      const ort = [...packages.entries()].filter(([spec]) => spec.startsWith('onnxruntime'));
      expect(ort, `imported by ${ort.map(([, f]) => f).join(', ')}`).toEqual([]);
    });

    it(`${entry} reaches only dynamic imports of onnxruntime-node that the bundler leaves dynamic`, () => {
      const { files } = walk(join(REPO_ROOT, 'src', 'action', entry));
      expect([...files].flatMap(unignoredDynamicImports)).toEqual([]);
    });
  }
});
