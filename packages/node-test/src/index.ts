export { testNode } from './test-node';
export type { NodeUnderTest, TestNodeOptions } from './test-node';
export { runFlow } from './flow-runner';
export type { FlowUnderTest, RunFlowOptions } from './flow-runner';
export { FakeClock, FAKE_EPOCH, flushEventLoop } from './fake-clock';
export { RecordingLogger } from './recording-logger';
export type { LogRecord } from './recording-logger';
export { toMessage } from './to-message';
