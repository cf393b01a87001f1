export { certify, type CertifyOptions, type CertifyRun, type SubjectCertificate } from './certify.js';
export { readBaselineEvaluation, type BaselineEvaluation, type BaselineEvalKey } from './baseline-evaluation.js';
export { aggregateShards, shardWindows, type ShardPartial, type ShardSpec } from './shard-partial.js';
export { TOOL_VERSION } from './provenance.js';
export { describeMemoryPlan, planRunMemory } from './run-memory.js';
