import { defineErrorCodes } from '@tagflow/flow-model';
import type { ErrorCodeOf } from '@tagflow/flow-model';

/**
 * Why a deploy (or a rollback) was refused, beyond the validation codes of `flowErrors`: the issues
 * of a refused deploy carry one or the other (`PUT /api/flow` answers 422 with them).
 */
export const deployErrors = defineErrorCodes({
  NODE_START_FAILED: "A node's create threw: the deploy is refused and the previous flow keeps running.",
  RESOURCE_UNREACHABLE:
    'A node that requires its resources at deploy (requiresResourcesAtDeploy) cannot reach one in time; the deploy is refused.',
  NO_SUCH_VERSION:
    'A rollback names a flow version that is not stored, or there is no earlier version to roll back to.',
  FLOW_ID_MISMATCH:
    "The flow sent to a flow's address (PUT /api/flows/ID) has another id in its file: a flow is deployed under its own id.",
  SECRET_NOT_ALLOWED:
    'A node or resource would send a secret bound to some hosts (tagflow secret set NAME --allow) to another host, or its type does not say where it sends secrets; the deploy is refused before the flow reaches the engine.',
});

/** A code of `deployErrors`. */
export type DeployErrorCode = ErrorCodeOf<typeof deployErrors>;

/**
 * Why a package install, removal or bundle was refused; each answers one HTTP status in the admin
 * API (`{ error, code }`) and nothing changed when it is given.
 */
export const packageErrors = defineErrorCodes({
  REFUSED:
    'The package cannot be used here: no `tagflow` field, an SDK range this runtime does not meet, a module that throws, a type another package has (422).',
  IN_USE: "The running flow uses the package's types; `usedBy` lists its nodes and resources (409).",
  NOT_INSTALLED: 'No package of that name is installed in the data dir (404).',
  BUILT_IN:
    'The package comes with the runtime (or a --nodes-dir), not from the data dir, so it is not managed here (409).',
  INVALID_SPEC:
    "The package name or version is not one npm accepts (npm's name rules, a semver version or range, or a dist-tag); checked before npm runs (400).",
  NEEDS_BUILD:
    'The package or one of its dependencies has an install script (preinstall, install, postinstall), `gypfile: true` or a binding.gyp: it installs only from a `tagflow pack` bundle made on this platform (os, arch, libc, Node ABI); nothing ran and nothing was installed (422).',
  ARCHIVE_INVALID:
    'The package or bundle file is not a gzip tarball, is truncated, or unpacks past the size limit the message names (a decompression bomb): nothing was installed (422).',
  NOT_IN_REGISTRY: 'The registry answered that it has no package of that name, or no version matching the spec (404).',
  FETCH_FAILED: 'npm could not reach the registry (or its cache, offline) to fetch or install the package (502).',
  BUNDLE_INVALID:
    'The bundle is damaged or was altered (a sha512 differs from its manifest): nothing of it was installed (422).',
});

/** Why a package operation was refused: a code of `packageErrors`. */
export type PackageErrorCode = ErrorCodeOf<typeof packageErrors>;

/** Why a call to an engine running in its own process failed (the supervisor's plain-words errors carry these). */
export const supervisorErrors = defineErrorCodes({
  ENGINE_ENDED:
    'The engine process ended (crash, watchdog, stop) before it answered; the call did nothing, or its effect was lost with the process.',
  ENGINE_TIMEOUT: 'The engine process did not answer within the deadline of the call (it is stuck or overloaded).',
  ENGINE_FAILED: 'The engine process answered the call with an error (its message says why).',
});

/** What `Engine.inject` and `Engine.tap` throw (as a NodeError) for a target the running flow does not have. */
export const engineErrors = defineErrorCodes({
  UNKNOWN_NODE: 'No node of that id runs in the current flow.',
  UNKNOWN_PORT: 'The node has no input port of that name.',
});

/**
 * Why a resource tool call (`POST /api/resources/tools/:tool`: browse an OPC UA server, test-read
 * Modbus registers) failed; each answers one HTTP status, given with it, and `{ error, code }`.
 */
export const toolErrors = defineErrorCodes({
  TOOL_UNKNOWN: 'No installed resource type of that name, or it has no tool of that name (404).',
  TOOL_CONFIG:
    'The resource config (as in the edited flow, variables resolved) is not valid for its type, or would send a bound secret where it may not go; the message names the field (422).',
  TOOL_CONNECT:
    "The connection for the call could not be opened; the message says why in the resource's own words (502).",
  TOOL_TIMEOUT: 'The call, connecting included, did not finish within its time limit (10 s by default) (504).',
  TOOL_FAILED:
    'The tool answered with an error: its input was refused, or the device or server refused the request (422).',
});

/** Why a resource tool call failed: a code of `toolErrors`. */
export type ToolErrorCode = ErrorCodeOf<typeof toolErrors>;
