import { defineErrorCodes, sdkErrors } from '@tagflow/node-sdk';

/** The error codes of the NATS nodes and the nats resource. */
export const natsErrors = defineErrorCodes({
  ...sdkErrors.pick('SECRET_MISSING'),
  NATS_CONNECT: 'The server cannot be reached or refused the connection; the runtime retries with backoff.',
  NATS_CONFIG:
    'A subject, server URL or stream setting the schema cannot rule out (a wildcard in a publish subject, a URL without host, JetStream without a stream); the deploy is refused.',
  NATS_PAYLOAD:
    'A received message is not what `payload` asks for (not JSON, not a number); it is not sent (a JetStream message is terminated).',
  NATS_SUBJECT: 'The message lacks a field the subject template needs; it is not published.',
  NATS_STREAM:
    'The stream or consumer cannot be used: missing while `create` is off, or the server refused to create it (no JetStream, subjects overlapping another stream).',
  NATS_PUBLISH:
    'JetStream refused a publish for good (too large, over a limit of the stream); it is dropped from the buffer and counted.',
}).withRefusals('NATS_CONFIG');
