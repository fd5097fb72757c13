import { defineErrorCodes } from '@tagflow/flow-model';

// One implementation, in flow-model (which the runtime, the editor and the CLI share); node
// packages get it from here, so they import only the SDK.
export { defineErrorCodes } from '@tagflow/flow-model';
export type { ErrorCatalogue, ErrorCodeOf } from '@tagflow/flow-model';

/**
 * Codes that mean the same in every package: those the runtime gives to node errors itself, and
 * those about a facility of the runtime. A package that raises one takes it into its own
 * catalogue with its meaning: `defineErrorCodes({ ...sdkErrors.pick('SECRET_MISSING'), ... })`.
 */
export const sdkErrors = defineErrorCodes({
  UNEXPECTED:
    'A node threw something other than a NodeError: a bug in the node, reported with its stack (given by the runtime).',
  RESOURCE_NOT_FOUND:
    'A node asked for a resource id the running flow does not define (ctx.resource; given by the runtime).',
  HOP_LIMIT:
    "A message passed more nodes than the flow's settings.maxHops (default 1,000): it went round a loop, and the runtime dropped it (given by the runtime).",
  FILE_OUTSIDE_ROOT:
    'A file path leads outside the files folder (absolute, climbing out with "..", or through a symbolic link): flows read and write files only inside it; refused at deploy when the path is in the config, else when the file is opened.',
  SECRET_MISSING:
    'A secret the config names (passwordEnv, tokenEnv) is not set on this runtime: set it with `tagflow secret set`, or in the environment.',
  CONTEXT_VALUE:
    'A value stored in the node, flow or global context is not JSON data (a function, a Buffer, NaN, a cycle): nothing was stored (given by the runtime).',
  LINK_NO_CALLER:
    'A link-out in return mode got a message with no link-call to return it to (it came by another way, or the caller was removed by a redeploy): it was dropped.',
  CONTEXT_FULL:
    'Storing a value would take a context scope past its size limit: nothing was stored; delete keys you no longer need (given by the runtime).',
});
