// Apart from function-sandbox (which loads isolated-vm) because the function node's schema shows them.

/**
 * The longest time limit a function may have. Calls are synchronous, so the engine waits for as long
 * as the code runs: 2 s keeps a runaway function well inside the supervisor's 5 s watchdog, even
 * with V8's overshoot on some built-ins (see docs/function.md), while leaving room for real work.
 */
export const MAX_TIMEOUT_MS = 2000;

/** Default budget of what one message returns: 4 MB, far above a telemetry message. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
