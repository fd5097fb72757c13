import { defineErrorCodes, sdkErrors } from '@tagflow/node-sdk';
import type { ErrorCodeOf } from '@tagflow/node-sdk';

/** The error codes of the core nodes; each definition lists the ones it may raise in `errors`. */
export const coreErrors = defineErrorCodes({
  ...sdkErrors.pick('FILE_OUTSIDE_ROOT', 'LINK_NO_CALLER', 'CONTEXT_VALUE', 'CONTEXT_FULL'),
  INVALID_PROPERTY: 'The property to read is not a valid message path; the deploy is refused.',
  NOT_A_NUMBER: 'The payload is not a finite number (numeric text, NaN and Infinity included); the value is not used.',
  INVALID_LIMITS:
    'The low limit is above the high limit minus the hysteresis, so both alarms could be on at once; the deploy is refused.',
  INVALID_RANGE: 'The input range has two equal ends, so no value can be mapped; the deploy is refused.',
  INVALID_SIGNAL:
    'Signal settings contradict each other (min above max, a start outside them, a period of 0); the deploy is refused.',
  REPLAY_FILE_NOT_FOUND: 'The replay file does not exist.',
  REPLAY_FILE_UNREADABLE: 'The replay file cannot be read (permission denied, a folder...).',
  REPLAY_BAD_LINE: 'A line of the replay file is not `timestamp,value`.',
  REPLAY_EMPTY: 'The replay file holds no samples.',
  SWITCH_PROPERTY_INVALID: 'The property to test is not a valid message path; the deploy is refused.',
  SWITCH_RULE_INVALID:
    'A routing rule is incomplete or invalid (no value, a bad regular expression or JSONata...); the deploy is refused.',
  SWITCH_EXPRESSION_FAILED: 'A JSONata rule failed on a message, which is sent nowhere.',
  CHANGE_RULE_INVALID:
    'A change rule is invalid (a bad path or JSONata, removing a required field...); the deploy is refused.',
  CHANGE_EXPRESSION_FAILED: 'A JSONata expression failed on a message, which is not sent.',
  CHANGE_PATH_CONFLICT:
    'A rule sets a field inside a value that is not an object (payload.unit when payload is a number); the message is not sent.',
  CHANGE_INVALID_MESSAGE: 'The rules left a timestamp or quality that is not valid; the message is not sent.',
  FILE_WRITE: 'The line could not be written (no folder, permission denied, disk full...).',
  FILE_CLOSED: 'A message arrived while the node was stopping; it was not written.',
  NOT_SERIALIZABLE: 'The message holds a value JSON cannot represent (a BigInt, a cycle); it was not written.',
  FUNCTION_SYNTAX: 'The function code does not parse; the deploy is refused.',
  FUNCTION_ERROR: 'The function code threw on a message.',
  FUNCTION_TIMEOUT: 'The function code ran longer than timeoutMs on a message and was stopped.',
  FUNCTION_MEMORY: 'The function code used more than memoryLimitMb and was stopped; its context starts afresh.',
  FUNCTION_RESULT: 'The function returned something that is not a message, an array of messages or null.',
  LINK_TIMEOUT:
    'A link-call got no answer (from a link-out in return mode) within its timeout; the message it sent is reported with the error.',
  LINK_LATE_ANSWER: 'An answer reached a link-call after its call had timed out; it was dropped.',
  JSON_PARSE_FAILED: 'The text to convert is not valid JSON; the message is not sent.',
  JSON_NOT_SERIALIZABLE:
    'The value to convert holds something JSON cannot represent (a BigInt, a cycle); the message is not sent.',
}).withRefusals(
  'INVALID_PROPERTY',
  'INVALID_LIMITS',
  'INVALID_RANGE',
  'INVALID_SIGNAL',
  'SWITCH_PROPERTY_INVALID',
  'SWITCH_RULE_INVALID',
  'CHANGE_RULE_INVALID',
  'FUNCTION_SYNTAX',
  'FILE_OUTSIDE_ROOT',
);

/** A code of `coreErrors`. */
export type CoreErrorCode = ErrorCodeOf<typeof coreErrors>;
