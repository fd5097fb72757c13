import { defineErrorCodes, sdkErrors } from '@tagflow/node-sdk';

/** The error codes of the OPC UA nodes, the opcua-server resource (client) and opcua-host (server). */
export const opcuaErrors = defineErrorCodes({
  ...sdkErrors.pick('SECRET_MISSING'),
  OPCUA_CONFIG: 'A security mode and policy that do not go together (None goes with None only).',
  OPCUA_CONNECT: 'The server cannot be reached; the runtime retries with backoff.',
  OPCUA_CERT_UNTRUSTED: "The server's certificate is not trusted yet; the message says where to move it.",
  OPCUA_LOGIN: 'The server refused the login (wrong user name or password, or anonymous not allowed).',
  OPCUA_SESSION: 'The server refused to open a session for another reason, given in the message.',
  OPCUA_NODE_ID: 'A node id is not valid OPC UA syntax (e.g. ns=1;s=Pump.Flow).',
  OPCUA_NOT_CONNECTED: 'There is no connection to the server now; nothing is read or written.',
  OPCUA_READ: 'The read request failed as a whole (a bad status of one variable is sent as quality bad instead).',
  OPCUA_WRITE: 'The write failed, or the server answered it with a status other than Good.',
  OPCUA_WRITE_TYPE: "The variable's data type is not one tagflow writes.",
  OPCUA_WRITE_VALUE: "The value does not fit the variable's type or range; nothing is sent.",
  OPCUA_WRITE_BAD_QUALITY: 'The message has quality bad, so its value is never written.',
  OPCUA_SUBSCRIBE: 'The subscription could not be made on the server; it is made again on the next connection.',
  OPCUA_MONITOR: 'The server refused to monitor an item, or monitoring it failed.',
  OPCUA_HOST_CONFIG:
    "tagflow's own OPC UA server (opcua-host) is configured so that nobody could log in, or with a user listed twice.",
  OPCUA_HOST_START:
    "tagflow's own OPC UA server could not start (the port is in use, the address is not this machine's...).",
  OPCUA_SERVE_CONFIG:
    'The tags of an opcua-serve node do not go together: a name given twice, a tag named like the folder of another, a unit or range on a tag that is no number, a range whose low is not below its high.',
  OPCUA_SERVE_TAKEN: 'Another opcua-serve node already serves a tag of this name on the same opcua-host.',
  OPCUA_SERVE_UNKNOWN_TAG: "The message's topic is not one of the node's tags; nothing is served.",
  OPCUA_SERVE_VALUE: "The payload does not fit the tag's data type or range; the served value stays as it was.",
}).withRefusals('OPCUA_CONFIG', 'OPCUA_NODE_ID', 'OPCUA_HOST_CONFIG', 'OPCUA_SERVE_CONFIG');
