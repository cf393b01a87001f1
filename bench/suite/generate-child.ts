/** Child process of bench-models.ts: writes one synthetic GPT-2 with bench/generate-model.ts. */
import { writeModelFiles } from '../../src/onnx/index.js';
import { generateGpt2Model, type Gpt2Options } from '../generate-model.js';
import { childInput, reportResult } from './child-process.js';

const { dir, spec } = childInput<{ dir: string; spec: Gpt2Options }>();
reportResult({ file: writeModelFiles(generateGpt2Model(spec), { directory: dir }) });
