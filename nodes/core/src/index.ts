// The package's node types and error codes, for code that imports them directly (tests,
// benchmarks). The runtime does not use this file: it loads the modules listed in package.json
// `tagflow.nodes`.
export { default as simulate } from './simulate.node';
export { default as timer } from './timer.node';
export { default as movingAverage } from './moving-average.node';
export { default as threshold } from './threshold.node';
export { default as deadband } from './deadband.node';
export { default as scale } from './scale.node';
export { default as aggregate } from './aggregate.node';
export { default as smooth } from './smooth.node';
export { default as switchNode } from './switch.node';
export { default as change } from './change.node';
export { default as rateLimit } from './rate-limit.node';
export { default as catchNode } from './catch.node';
export { default as debug } from './debug.node';
export { default as fileOut } from './file-out.node';
export { default as functionNode } from './function.node';
export { default as linkIn } from './link-in.node';
export { default as linkOut } from './link-out.node';
export { default as linkCall } from './link-call.node';
export { default as json } from './json.node';
export { default as delay } from './delay.node';
export { default as trigger } from './trigger.node';
export { default as status } from './status.node';
export { default as split } from './split.node';
export { default as join } from './join.node';
export { coreErrors } from './error-codes';
export type { CoreErrorCode } from './error-codes';
