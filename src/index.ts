/**
 * `import { ... } from 'hil'`: the package's entry point. Rig and scenario files, loaded and checked exactly as
 * `hil validate` and `hil run` check them (a mistake is a ConfigError naming file, line and field).
 */
export { loadRig, type RigSpec } from './rig/RigSpec.js';
export { loadScenario, type Scenario } from './scenario/Scenario.js';
export { ConfigError, RigError } from './core/errors.js';
