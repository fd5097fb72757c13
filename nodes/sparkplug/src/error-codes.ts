import { defineErrorCodes, sdkErrors } from '@tagflow/node-sdk';

/** The error codes of the Sparkplug nodes and the sparkplug-edge-node resource. */
export const sparkplugErrors = defineErrorCodes({
  ...sdkErrors.pick('SECRET_MISSING'),
  SPARKPLUG_CONNECT: 'The broker cannot be reached or refused the connection; the runtime retries with backoff.',
  SPARKPLUG_CONFIG:
    'A group, edge node, device or host id holds "/", "+" or "#", or the broker URL has no host; the deploy is refused.',
  SPARKPLUG_METRIC:
    "A message names no device or metric (neither in the config nor in the message), or its value does not fit the metric's data type; it is not sent.",
  SPARKPLUG_PAYLOAD: 'A received message is not a Sparkplug B payload; it is skipped and counted.',
}).withRefusals('SPARKPLUG_CONFIG');
