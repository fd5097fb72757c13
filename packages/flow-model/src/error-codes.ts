import { defineErrorCodes } from './define-error-codes';
import type { ErrorCodeOf } from './define-error-codes';

/**
 * The codes of the issues `validateFlow` and `parseFlowJson` report. They are part of the API: the
 * editor, the CLI and users' scripts compare them, so a code is never renamed.
 */
export const flowErrors = defineErrorCodes({
  INVALID_JSON: 'The flow file is not valid JSON; the issue gives the line and column.',
  NOT_A_FLOW: 'The flow is not a JSON object.',
  FLOW_TOO_LARGE: 'The flow file (or request body) is larger than MAX_FLOW_BYTES (5 MB).',
  NESTED_TOO_DEEP: 'Objects and lists are nested deeper than MAX_JSON_DEPTH (64 levels) somewhere in the flow.',
  TOO_MANY_NODES: 'The flow has more nodes than MAX_NODES (10,000).',
  TOO_MANY_EDGES: 'The flow has more edges than MAX_EDGES (20,000).',
  TOO_MANY_RESOURCES: 'The flow has more resources than MAX_RESOURCES (1,000).',
  ID_TOO_LONG: 'An id, type name or port name is longer than MAX_ID_LENGTH (128 characters).',
  TEXT_TOO_LONG: 'A text or field name in the flow is longer than MAX_STRING_LENGTH (1,000,000 characters).',
  NUMBER_NOT_FINITE:
    'A number JSON cannot hold: too large (1e400 reads as Infinity) or NaN; it would be saved as null.',
  UNSUPPORTED_SCHEMA_VERSION: 'The flow file is in a format this tagflow does not read (schemaVersion).',
  MISSING_FIELD: 'A field the flow format requires is missing.',
  UNKNOWN_FIELD: 'A field the flow format does not know (often a typo; the message suggests the closest).',
  INVALID_FIELD: 'A field of the flow format has a value of the wrong type or out of range.',
  DUPLICATE_NODE_ID: 'Two nodes have the same id.',
  DUPLICATE_RESOURCE_ID: 'Two resources have the same id.',
  UNKNOWN_NODE_TYPE: 'No installed package provides the node type; the message names the package that does.',
  UNKNOWN_RESOURCE_TYPE: 'No installed package provides the resource type; the message names the package that does.',
  NODERED_PLACEHOLDER:
    'A node imported from Node-RED was not converted (type nodered-placeholder): the message names its Node-RED type and what to use instead.',
  TYPE_VERSION_TOO_NEW: 'The node was saved with a newer version of its type than the one installed.',
  MIGRATION_MISSING: "The node's config is older than its type and a migration step is missing.",
  MIGRATION_FAILED: 'A migration step threw, or returned something other than a config object.',
  MIGRATION_PENDING:
    "Warning: the node's config is older than its type and is upgraded (and checked) when the runtime loads the flow.",
  CONFIG_INVALID: "A node's config does not match its type's config schema.",
  CONFIG_SCHEMA_INVALID: "A node or resource type's own config schema is invalid, so its config cannot be checked.",
  CONFIG_CHECK_FAILED:
    "A node or resource type's own config check threw or answered something that is not a list of problems; report it to the package's author.",
  RESOURCE_CONFIG_INVALID: "A resource's config does not match its type's config schema.",
  RESOURCE_NOT_SET: 'A node needs a resource and its config does not name one.',
  RESOURCE_NOT_FOUND: 'A node names a resource id this flow does not define.',
  RESOURCE_TYPE_MISMATCH: 'A node names a resource of the wrong type.',
  DANGLING_EDGE: 'An edge starts or ends at a node id this flow does not define.',
  UNKNOWN_PORT: 'An edge uses a port its node type does not have.',
  DUPLICATE_EDGE: 'Two edges connect the same ports.',
  DUPLICATE_EDGE_ID: 'Two edges have the same id.',
  SELF_LOOP: "An edge goes from a node's output back into its own input.",
  LINK_TARGET_NOT_FOUND: 'A link-out or link-call names a node id this flow does not define.',
  LINK_TARGET_NOT_LINK_IN: 'A link-out or link-call names a node that is not a link-in.',
  UNCONNECTED_NODE: 'Warning: a node with ports has no edge at all, so it would sit idle.',
  VARIABLE_UNRESOLVED:
    'A node or resource config uses ${NAME} and this runtime has no variable NAME (tagflow var set NAME VALUE); every one is listed.',
  VARIABLE_SYNTAX: 'A config string holds ${ that is not a variable reference ${NAME}; write $${ for a literal ${.',
  VARIABLE_TYPE:
    "A field that is exactly ${NAME} wants a number, an integer or a boolean, and the variable's value does not convert to it.",
  VARIABLE_IN_SECRET_FIELD:
    'A field naming a secret (x-secret, e.g. passwordEnv) uses ${NAME}: a variable may not choose which secret is sent.',
  SUBFLOW_NOT_FOUND: 'A node of type "subflow:<id>" names a subflow this flow does not define.',
  SUBFLOW_INVALID:
    "A subflow's definition is unusable: a duplicate id, a port or status naming no inner node, or parameters that are no JSON Schema.",
  SUBFLOW_PARAM_INVALID: "A subflow instance's parameter value does not match the subflow's params schema.",
  SUBFLOW_PORT_UNKNOWN: 'An edge uses a port a subflow instance does not declare among its inputs or outputs.',
  SUBFLOW_CYCLE: 'A subflow contains an instance of itself, directly or through other subflows.',
  SUBFLOW_TOO_DEEP: 'Subflows are nested more than MAX_SUBFLOW_DEPTH (8) levels deep.',
  SUBFLOW_UNUSED: 'Warning: no node uses a subflow of the flow, so its nodes are not checked until one is placed.',
  GROUP_NODE_NOT_FOUND: 'A group lists a node id this flow does not define.',
  GROUP_INVALID: 'Two groups have the same id, or a node is listed in more than one group.',
  UNBROKEN_CYCLE:
    'Warning: edges form a loop with no node that delays or limits, so a message can go round it until the hop limit drops it.',
});

/** Every code `validateFlow` and `parseFlowJson` produce. */
export type FlowIssueCode = ErrorCodeOf<typeof flowErrors>;
