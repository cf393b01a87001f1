import { describe, expect, it } from 'vitest';
import interfaces from '../../../contracts/model_interfaces.json' with { type: 'json' };
import schema from '../../../contracts/model_interfaces.schema.json' with { type: 'json' };
import { listBundledInterfaces, resolveModelInterface } from '../../../src/adapters/index.js';
import { compileSchema } from '../../../src/contracts/index.js';

const entries = Object.entries(interfaces.interfaces);
const interfaceSchema = compileSchema({ $ref: 'https://invarlock.dev/schemas/model_interfaces.schema.json#/$defs/interface' }, { references: [schema] });

describe('bundled model interfaces', () => {
  it.each(entries)('%s validates against #/$defs/interface and resolves under its own model_type', (name, entry) => {
    expect(interfaceSchema.problems(entry)).toEqual([]);
    const modelType = entry.model_type ?? name;
    expect(modelType).toBe(name);
    const resolved = resolveModelInterface({ modelType });
    expect(resolved.layers.length).toBeGreaterThan(0);
    expect(resolved.embeddings.length).toBeGreaterThan(0);
  });

  it('serves each model_type once', () => {
    expect(listBundledInterfaces()).toEqual(entries.map(([name]) => name).sort());
  });
});
