/**
 * Child process of section 4: imports what a certify run imports and loads onnxruntime-node, then
 * reports its peak RSS — the floor under every certify measurement (Node, tsx, modules, ORT).
 */
import '../../src/core/index.js';
import { loadOrt } from '../../src/eval/index.js';
import { peakRssBytes, reportResult } from './child-process.js';

await loadOrt();
reportResult({ peakRssBytes: peakRssBytes() });
