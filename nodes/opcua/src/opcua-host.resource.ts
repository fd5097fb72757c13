import { join } from 'node:path';
import { defineResource, NodeError, passwordEnvProperty, refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
// Types only: node-opcua loads when a flow starts a server, not when this definition is read.
import type { OpcuaHost } from './opcua-host-server';

/** Folder of tagflow's own server certificate store under the runtime's data dir. */
export function hostPkiFolder(dataDir: string): string {
  return join(dataDir, 'opcua-host-pki');
}

export default defineResource({
  type: 'opcua-host',
  version: 1,
  description: "tagflow's own OPC UA server, serving the flow's tags to OPC UA clients (SCADA, HMI, MES).",
  docs: [
    'Turns tagflow into an OPC UA server (a gateway): `opcua-serve` nodes name this resource and put',
    'their tags in its address space, under `Objects`, in the namespace `namespaceUri`. Each tag is a',
    'variable with its data type, description, engineering unit and range, and its value carries the',
    "message's timestamp (SourceTimestamp) and quality (StatusCode Good, Uncertain or Bad).",
    '',
    'Why the name: `opcua-server` is the *client* side (a session with somebody else’s OPC UA server;',
    'kept for the flows that use it). `opcua-host` is the server tagflow itself *hosts*, and',
    '`opcua-serve` is the node that *serves* tags on it.',
    '',
    '## Secure by default',
    '',
    '- It listens on `127.0.0.1` only: clients on other machines cannot reach it until you set `host`',
    '  to `0.0.0.0` (every interface) or to one address of the box, and open `port` in its firewall.',
    '- Only `SignAndEncrypt` is offered unless `securityModes` lists `Sign` or `None`. `None` sends',
    '  values (and client writes) in clear: list it only on a trusted network or on loopback.',
    '- Anonymous clients are refused unless `allowAnonymous` is on; with it off, `users` must name at',
    '  least one user (else nobody could log in, and the flow is refused with `OPCUA_HOST_CONFIG`).',
    '- X.509 user certificates (which node-opcua always offers) log in only when trusted in',
    '  `<data dir>/opcua-host-pki/users/trusted/certs/`: none is, unless an administrator puts one there.',
    '- Passwords are secrets (`tagflow secret set NAME`), named by `passwordEnv` and compared with',
    '  what clients send, never sent anywhere: a secret bound to hosts with `--allow` can be used here.',
    '- Client certificates: for `Sign` and `SignAndEncrypt` the server must trust the client. An unknown',
    '  client certificate is refused and stored in `<data dir>/opcua-host-pki/rejected/`; move it to',
    '  `<data dir>/opcua-host-pki/trusted/certs/` to trust it (`autoAcceptClientCertificates` trusts',
    "  any: convenient for a first try, not secure). The server's own certificate is made on first",
    '  use in `<data dir>/opcua-host-pki/own/` (~0.5 s); give it to the clients that must trust it.',
    '',
    '## When it cannot start',
    '',
    '| code | example |',
    '| --- | --- |',
    '| `OPCUA_HOST_START` | `cannot serve OPC UA on 127.0.0.1:4840: the port is in use by another program (another OPC UA server?): choose another port` |',
    '| `SECRET_MISSING` | `the password of OPC UA user "scada" is to come from "SCADA_OPCUA_PASSWORD", which is not set` |',
    '| `OPCUA_HOST_CONFIG` | `nobody could log in: turn allowAnonymous on, or add users` |',
    '',
    'The runtime retries a server that cannot start with backoff, as it does a connection.',
    '',
    '## Example',
    '',
    'On every interface, port 4840, signed and encrypted, for one user:',
    '',
    '```json',
    '{',
    '  "id": "gateway",',
    '  "type": "opcua-host",',
    '  "config": {',
    '    "host": "0.0.0.0",',
    '    "port": 4840,',
    '    "users": [{ "userName": "scada", "passwordEnv": "SCADA_OPCUA_PASSWORD" }]',
    '  }',
    '}',
    '```',
  ].join('\n'),
  errors: opcuaErrors.pick('OPCUA_HOST_CONFIG', 'OPCUA_HOST_START', 'SECRET_MISSING'),
  configSchema: {
    type: 'object',
    properties: {
      port: {
        type: 'integer',
        description: 'TCP port clients connect to (4840 is the port registered for OPC UA).',
        default: 4840,
        minimum: 1,
        maximum: 65535,
        'x-ui': { label: 'Port' },
      },
      host: {
        type: 'string',
        description:
          'Address to listen on: 127.0.0.1 (this machine only, the default), 0.0.0.0 (every interface) or one address of the machine.',
        default: '127.0.0.1',
        minLength: 1,
        'x-ui': { label: 'Listen on', placeholder: '0.0.0.0' },
      },
      securityModes: {
        type: 'array',
        description:
          'Security modes offered to clients: SignAndEncrypt (signed and encrypted), Sign (signed), None (plain, only for a trusted network).',
        default: ['SignAndEncrypt'],
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['None', 'Sign', 'SignAndEncrypt'] },
        'x-ui': { label: 'Security modes' },
      },
      securityPolicies: {
        type: 'array',
        description: 'Algorithms offered with Sign and SignAndEncrypt.',
        default: ['Basic256Sha256'],
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] },
        'x-ui': { label: 'Security policies' },
      },
      allowAnonymous: {
        type: 'boolean',
        description: 'Let clients in without a user name. Off: only the users below can connect.',
        default: false,
        'x-ui': { label: 'Allow anonymous clients' },
      },
      users: {
        type: 'array',
        description: 'Users who may connect, each with a password kept as a secret.',
        default: [],
        items: {
          type: 'object',
          properties: {
            userName: {
              type: 'string',
              description: 'User name the client logs in with.',
              minLength: 1,
              'x-ui': { label: 'User name' },
            },
            passwordEnv: passwordEnvProperty('Password from (variable name)'),
          },
          required: ['userName', 'passwordEnv'],
          additionalProperties: false,
        },
        'x-ui': { label: 'Users' },
      },
      autoAcceptClientCertificates: {
        type: 'boolean',
        description:
          'Trust any client certificate (convenient, not secure). Off: an unknown one is refused and stored in <data dir>/opcua-host-pki/rejected; move it to <data dir>/opcua-host-pki/trusted/certs to trust it.',
        default: false,
        'x-ui': { label: 'Accept unknown client certificates' },
      },
      namespaceUri: {
        type: 'string',
        description: 'URI of the namespace holding the tags; clients find its index (ns=) in the NamespaceArray.',
        default: 'urn:tagflow:tags',
        minLength: 1,
        'x-ui': { label: 'Namespace URI' },
      },
    },
    additionalProperties: false,
  },

  check: hostProblems,

  // User passwords are compared with what clients send; they are never sent anywhere.
  secretDestinations: () => [],

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(hostProblems(c));
    const users = new Map<string, string>();
    for (const user of c.users) {
      const password = ctx.secret(user.passwordEnv);
      if (password === undefined)
        throw new NodeError(
          opcuaErrors.code.SECRET_MISSING,
          `the password of OPC UA user "${user.userName}" is to come from "${user.passwordEnv}", which is not set`,
        );
      users.set(user.userName, password);
    }
    // Loaded here, when a flow starts a server: requiring this definition does not load node-opcua.
    const logs = require('./node-opcua-logs') as typeof import('./node-opcua-logs');
    logs.routeNodeOpcuaLogsToStderr();
    const { startOpcuaHost } = require('./opcua-host-server') as typeof import('./opcua-host-server');
    const host: OpcuaHost = await startOpcuaHost({
      id: ctx.id,
      host: c.host,
      port: c.port,
      securityModes: c.securityModes,
      securityPolicies: c.securityPolicies,
      allowAnonymous: c.allowAnonymous,
      users,
      autoAcceptClientCertificates: c.autoAcceptClientCertificates,
      namespaceUri: c.namespaceUri,
      pkiFolder: hostPkiFolder(ctx.dataDir),
    });
    ctx.log.info('serving OPC UA', { endpointUrl: host.endpointUrl });
    return host;
  },
});

/** A server nobody could log in to, or a user listed twice, is refused before it starts. */
function hostProblems(c: { allowAnonymous: boolean; users: readonly { userName: string }[] }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!c.allowAnonymous && c.users.length === 0)
    problems.push({
      path: '/users',
      message: 'nobody could log in: turn allowAnonymous on, or add users',
      code: opcuaErrors.code.OPCUA_HOST_CONFIG,
    });
  const seen = new Set<string>();
  c.users.forEach((user, i) => {
    if (seen.has(user.userName))
      problems.push({
        path: `/users/${i}/userName`,
        message: `user "${user.userName}" is listed twice`,
        code: opcuaErrors.code.OPCUA_HOST_CONFIG,
      });
    seen.add(user.userName);
  });
  return problems;
}
