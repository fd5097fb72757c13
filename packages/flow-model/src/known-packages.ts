/**
 * Which package provides the well-known tagflow types: the packages the tagflow CLI comes with
 * (issue 16), so that "type not installed" can name the one missing from an incomplete
 * installation. Third-party types are not listed; their message says to install the package that
 * provides them.
 */

/**
 * The tagflow release these packages come with: every @tagflow package of a release has this
 * version (a test checks it against package.json), so a missing one can be named exactly.
 */
export const TAGFLOW_RELEASE = '0.1.0';

const CORE = '@tagflow/nodes-core';
const MQTT = '@tagflow/nodes-mqtt';
const MODBUS = '@tagflow/nodes-modbus';
const OPCUA = '@tagflow/nodes-opcua';
const HISTORIAN = '@tagflow/nodes-historian';
const NATS = '@tagflow/nodes-nats';

/** Node type -> npm package providing it. */
export const KNOWN_NODE_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  simulate: CORE,
  timer: CORE,
  'moving-average': CORE,
  smooth: CORE,
  threshold: CORE,
  deadband: CORE,
  scale: CORE,
  aggregate: CORE,
  switch: CORE,
  change: CORE,
  'rate-limit': CORE,
  catch: CORE,
  debug: CORE,
  'file-out': CORE,
  function: CORE,
  'link-in': CORE,
  'link-out': CORE,
  'link-call': CORE,
  'mqtt-in': MQTT,
  'mqtt-out': MQTT,
  'modbus-read': MODBUS,
  'modbus-write': MODBUS,
  'opcua-subscribe': OPCUA,
  'opcua-read': OPCUA,
  'opcua-write': OPCUA,
  'opcua-serve': OPCUA,
  'historian-out': HISTORIAN,
  'historian-query': HISTORIAN,
  'nats-in': NATS,
  'nats-out': NATS,
});

/** Resource type -> npm package providing it. */
export const KNOWN_RESOURCE_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  'mqtt-broker': MQTT,
  'modbus-device': MODBUS,
  'opcua-server': OPCUA,
  'opcua-host': OPCUA,
  historian: HISTORIAN,
  nats: NATS,
});

/** The package known to provide a node type, if any. */
export function knownNodePackage(type: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(KNOWN_NODE_PACKAGES, type) ? KNOWN_NODE_PACKAGES[type] : undefined;
}

/** The package known to provide a resource type, if any. */
export function knownResourcePackage(type: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(KNOWN_RESOURCE_PACKAGES, type)
    ? KNOWN_RESOURCE_PACKAGES[type]
    : undefined;
}
