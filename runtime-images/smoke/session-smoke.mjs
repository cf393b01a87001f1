#!/usr/bin/env node
/* global process, console, Buffer */
// Image smoke test: creates an onnxruntime session on a tiny model built here (y = x + x) and runs
// it. With a GPU visible (or --require-cuda) the session asks for the CUDA execution provider, so a
// missing CUDA/cuDNN library fails the build or the check instead of a user's first run.
//   node session-smoke.mjs [--require-cuda]
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(`${process.cwd()}/`);
const ort = require('onnxruntime-node');

// Minimal protobuf writer: enough for a ModelProto with one Add node.
const varint = (n) => {
  const out = [];
  let v = n;
  while (v > 0x7f) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const num = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...Buffer.from(s, 'utf8')]);

const tensorType = bytes(1, [...num(1, 1), ...bytes(2, bytes(1, num(1, 4)))]); // float32, shape [4]
const valueInfo = (name) => [...str(1, name), ...bytes(2, tensorType)];
const node = [...str(1, 'x'), ...str(1, 'x'), ...str(2, 'y'), ...str(3, 'add'), ...str(4, 'Add')];
const graph = [...bytes(1, node), ...str(2, 'smoke'), ...bytes(11, valueInfo('x')), ...bytes(12, valueInfo('y'))];
const model = Uint8Array.from([...num(1, 8), ...str(2, 'invarlock-smoke'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...num(2, 17)])]);

const gpuVisible = existsSync('/dev/nvidia0') || existsSync('/dev/nvidiactl');
const wantCuda = process.argv.includes('--require-cuda') || gpuVisible;
const providers = wantCuda ? ['cuda'] : ['cpu'];
const session = await ort.InferenceSession.create(model, { executionProviders: providers });
const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [4]);
const { y } = await session.run({ x });
const expected = [2, 4, 6, 8];
if (!Array.from(y.data).every((v, i) => v === expected[i])) {
  console.error(`smoke: wrong result ${Array.from(y.data)}`);
  process.exit(1);
}
await session.release();
console.log(`smoke: onnxruntime ${ort.env.versions?.common ?? ''} session on ${providers[0]} ok${wantCuda ? '' : ' (no GPU visible: CUDA not exercised)'}`);
