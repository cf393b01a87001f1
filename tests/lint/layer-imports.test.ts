import * as path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RULE = 'invarlock/layer-imports';

// Probe files are linted as if they sat in src/<layer>/, through the repository's own eslint.config.js,
// so the test fails if the config stops applying the rule as well as if the rule stops working.
async function layerMessages(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.messageId ?? m.message);
}

describe('layer import rule', () => {
  it('rejects reaching past another layer’s door', async () => {
    expect(await layerMessages('src/core/runner/probe.ts', "import { buildCertificate } from '../../report/build-certificate.js';\nexport { buildCertificate };\n")).toEqual(['pastDoor']);
    expect(await layerMessages('src/core/probe.ts', "export * from '../eval/windows/index.js';\n")).toEqual(['pastDoor']);
    expect(await layerMessages('src/guards/rmt/deep/probe.ts', "export type { Policy } from '../../../stats/gates.js';\n")).toEqual(['pastDoor']);
  });

  it('rejects importing an upper layer from a lower one, door or not', async () => {
    expect(await layerMessages('src/onnx/probe.ts', "import { certify } from '../core/index.js';\nexport { certify };\n")).toEqual(['upward']);
    expect(await layerMessages('src/stats/probe.ts', "import type { Dataset } from '../eval/index.js';\nexport type { Dataset };\n")).toEqual(['upward']);
    expect(await layerMessages('src/edits/lora/probe.ts', "export const load = () => import('../../guards/index.js');\n")).toEqual(['upward']);
  });

  it('accepts a downward import through the door, inner-layer paths and files outside src', async () => {
    expect(await layerMessages('src/core/runner/probe.ts', "import { buildCertificate } from '../../report/index.js';\nimport { x } from './sibling.js';\nimport { y } from '../policy/load-tiers.js';\nexport { buildCertificate, x, y };\n")).toEqual([]);
    expect(await layerMessages('src/onnx/probe.ts', "import { roundHalfEven } from '../stats/index.js';\nexport { roundHalfEven };\n")).toEqual([]);
    expect(await layerMessages('src/report/probe.ts', "import schema from '../../contracts/certificate.schema.json' with { type: 'json' };\nexport { schema };\n")).toEqual([]);
  });
});
