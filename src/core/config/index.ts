export {
  CONFIG_DEFAULTS,
  parseRunConfigFile,
  resolveRunConfig,
  type AdapterChoice,
  type DeviceChoice,
  type EditName,
  type MetricChoice,
  type ProfileName,
  type RunConfig,
  type RunConfigFile,
  type RunMode,
  type SubjectSpec,
  type TierName,
} from './run-config.js';
export { loadConfigFile, mergeConfig, parseConfigText } from './load-config.js';
export { shardPartialFileName } from './shard-file-name.js';
