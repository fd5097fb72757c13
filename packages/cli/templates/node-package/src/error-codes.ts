import { defineErrorCodes } from '@tagflow/node-sdk';

/**
 * This package's error codes, each with a one-line meaning: code raises `nodeErrors.code.X` (never
 * a string literal), each node lists the codes it may raise in `errors`, and the docs print them.
 */
export const nodeErrors = defineErrorCodes({
  INCOMPATIBLE_UNITS:
    'The two units measure different quantities (a temperature cannot become a pressure); the deploy is refused.',
  NOT_A_NUMBER: 'The payload is not a finite number; nothing is sent.',
}).withRefusals('INCOMPATIBLE_UNITS');
