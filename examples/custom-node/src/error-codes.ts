import { defineErrorCodes } from '@tagflow/node-sdk';

/** The package's error codes, each with its meaning: raise `oeeErrors.code.X`, never a string. */
export const oeeErrors = defineErrorCodes({
  OEE_INPUT:
    'The payload is neither a machine state nor part counts (a number, null, an object without state, good or total).',
  OEE_STATE: 'The machine state is not running, stopped, idle, true or false.',
  OEE_COUNTS: 'The part counts are not whole numbers >= 0, or there are more good parts than in total.',
});
