import { defineErrorCodes, sdkErrors } from '@tagflow/node-sdk';

/** The error codes of the historian nodes and the historian resource. */
export const historianErrors = defineErrorCodes({
  ...sdkErrors.pick('SECRET_MISSING'),
  HISTORIAN_LOCAL: 'The local SQLite store cannot be opened (its file or folder is not writable...).',
  HISTORIAN_TAG: 'The message lacks a field the tag template needs; nothing of it is stored.',
  HISTORIAN_ROW:
    'The backend refused a row for what it holds; it is reported once and dropped, so it cannot hold up the rest.',
  HISTORIAN_QUERY: 'The query a message asks for is invalid (no tags, a time that is not one, an empty range...).',
  HISTORIAN_UNAVAILABLE: 'The historian is not connected now; the query was not run.',
});
