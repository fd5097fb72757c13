import { defineResource, passwordEnvProperty, refuseConfig, urlDestination } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';

export default defineResource({
  type: 'opcua-server',
  version: 1,
  description: 'A session with an OPC UA server, shared by the OPC UA nodes that name it.',
  docs: [
    'One session with an OPC UA server, shared by every OPC UA node that names the resource.',
    'This is tagflow as an OPC UA *client*; to make tagflow itself an OPC UA server, use `opcua-host`.',
    '`securityPolicy` `None` goes only with `securityMode` `None`, and the other policies only with',
    '`Sign`/`SignAndEncrypt` (else `OPCUA_CONFIG`); `passwordEnv` is required with `userName`.',
    '`passwordEnv` names a secret (`tagflow secret set NAME`), sent only to the host and port of',
    '`endpointUrl` (4840 when it has none): bound with `--allow 10.0.0.5:4840`, a deploy pointing it',
    'at another server is refused (`SECRET_NOT_ALLOWED`).',
    '',
    '## Connection problems',
    '',
    'Errors are shown on every node using the resource and retried with backoff:',
    '',
    '| code | example |',
    '| --- | --- |',
    '| `OPCUA_CONNECT` | `cannot connect to opc.tcp://10.0.0.5:4840: The connection cannot be established with server opc.tcp://10.0.0.5:4840 .` |',
    '| `OPCUA_CERT_UNTRUSTED` | `the certificate of opc.tcp://10.0.0.5:4840 is not trusted: move it from /var/lib/tagflow/opcua-pki/rejected to /var/lib/tagflow/opcua-pki/trusted/certs (or set autoAcceptServerCertificate)` |',
    '| `OPCUA_LOGIN` | `opc.tcp://10.0.0.5:4840 refused the login of "edge" (wrong user name or password?): ... BadUserAccessDenied` |',
    '| `OPCUA_SESSION` | any other failure to open the session |',
    '| `SECRET_MISSING` | `the password of "edge" on opc.tcp://10.0.0.5:4840 is to come from "PLC_OPCUA_PASSWORD", which is not set` |',
    '| `OPCUA_CONFIG` | `security mode None cannot go with security policy Basic256Sha256: ...` |',
    '',
    'A connection that breaks (socket closed, session closed, keep-alives unanswered) is reported as',
    '`connection to opc.tcp://10.0.0.5:4840 lost: ...`; the runtime opens a new session, and the nodes',
    'monitor their items again on it.',
    '',
    '## Certificates',
    '',
    "The client keeps its certificate store in the runtime's data dir (`--data-dir`, default",
    "`~/.tagflow`), in `opcua-pki/`: `own/` holds the client's self-signed certificate and key (made on",
    'first use, ~0.5 s), `trusted/certs/` the server certificates it trusts, `rejected/` the ones it',
    'refused. All OPC UA resources of a runtime share it: servers see one tagflow client identity.',
    '',
    'To trust a server certificate (with `autoAcceptServerCertificate` off, the secure default):',
    '',
    "1. Deploy the flow. The first connection is refused with `OPCUA_CERT_UNTRUSTED`, and the server's",
    '   certificate is stored in `<data dir>/opcua-pki/rejected/` as `<server name>[<SHA-1 thumbprint>].pem`.',
    '2. Check that it is the right server (compare the thumbprint in the file name with the one the',
    "   server's administrator shows), then move it:",
    '   `mv <data dir>/opcua-pki/rejected/<file>.pem <data dir>/opcua-pki/trusted/certs/`',
    "3. Nothing to restart: the runtime's next retry (within 30 s) connects.",
    '',
    "The server, in turn, has to trust the client's certificate (`<data dir>/opcua-pki/own/certs/`)",
    'for `Sign` and `SignAndEncrypt`: most servers put it in their own rejected folder on the first',
    'attempt, to be trusted in the same way on the server side.',
    '',
    '## Example',
    '',
    'A signed and encrypted session, logged in as `edge`:',
    '',
    '```json',
    '{',
    '  "id": "plc",',
    '  "type": "opcua-server",',
    '  "config": {',
    '    "endpointUrl": "opc.tcp://10.0.0.5:4840",',
    '    "securityMode": "SignAndEncrypt",',
    '    "securityPolicy": "Basic256Sha256",',
    '    "userName": "edge",',
    '    "passwordEnv": "PLC_OPCUA_PASSWORD"',
    '  }',
    '}',
    '```',
  ].join('\n'),
  errors: opcuaErrors.pick(
    'OPCUA_CONFIG',
    'SECRET_MISSING',
    'OPCUA_CONNECT',
    'OPCUA_CERT_UNTRUSTED',
    'OPCUA_LOGIN',
    'OPCUA_SESSION',
  ),
  configSchema: {
    type: 'object',
    properties: {
      endpointUrl: {
        type: 'string',
        description: 'Endpoint of the server, e.g. opc.tcp://10.0.0.5:4840.',
        pattern: '^opc\\.tcp://',
        'x-ui': { label: 'Endpoint URL', placeholder: 'opc.tcp://10.0.0.5:4840' },
      },
      securityMode: {
        description:
          'None: plain; Sign: signed messages; SignAndEncrypt: signed and encrypted. Sign modes need a security policy and certificates trusted both ways.',
        default: 'None',
        enum: ['None', 'Sign', 'SignAndEncrypt'],
        'x-ui': { label: 'Security mode' },
      },
      securityPolicy: {
        description:
          'Algorithms for Sign and SignAndEncrypt; default None with security mode None, else Basic256Sha256.',
        enum: ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'],
        'x-ui': { label: 'Security policy' },
      },
      userName: {
        type: 'string',
        description: 'User to log in as; leave empty to log in anonymously.',
        minLength: 1,
        'x-ui': { label: 'User name' },
      },
      passwordEnv: passwordEnvProperty('Password from (variable name)'),
      autoAcceptServerCertificate: {
        type: 'boolean',
        description:
          'Trust a server certificate seen for the first time (convenient, not secure). Off: an unknown certificate is refused and stored in <data dir>/opcua-pki/rejected; move it to <data dir>/opcua-pki/trusted/certs to trust it.',
        default: false,
        'x-ui': { label: 'Accept unknown server certificates' },
      },
      sessionTimeoutMs: {
        type: 'integer',
        description: 'How long the server keeps the session (and its subscriptions) without hearing from the client.',
        default: 60000,
        minimum: 1000,
        'x-ui': { label: 'Session timeout', unit: 'ms' },
      },
      requestTimeoutMs: {
        type: 'integer',
        description: 'How long to wait for the answer to a request (read, write, browse) before it fails.',
        default: 10000,
        minimum: 100,
        'x-ui': { label: 'Request timeout', unit: 'ms' },
      },
    },
    required: ['endpointUrl'],
    dependentRequired: { userName: ['passwordEnv'] },
    additionalProperties: false,
  },

  check: securityProblems,

  // The password goes to the endpoint only (4840 is OPC UA's registered port).
  secretDestinations: (c) => urlDestination(c.endpointUrl, { 'opc.tcp:': 4840 }),

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(securityProblems(c));
    // node-opcua loads here, when a flow first uses a server, not with the palette.
    const { openOpcuaConnection } = require('./opcua-connect') as typeof import('./opcua-connect');
    return openOpcuaConnection({ ...c, securityPolicy: policyOf(c) }, ctx);
  },

  tools: {
    // For the editor's OPC UA browser: children of a node, with data types, values and units.
    browse(connection, input, ctx) {
      const { browseTool } = require('./browse-tool') as typeof import('./browse-tool');
      return browseTool(connection, input, ctx);
    },
  },
});

type SecurityConfig<P extends string = string> = { securityMode: string; securityPolicy?: P };

/** The policy in use: the one given, else None without security and Basic256Sha256 with it. */
function policyOf<P extends string>(c: SecurityConfig<P>): P | 'None' | 'Basic256Sha256' {
  return c.securityPolicy ?? (c.securityMode === 'None' ? 'None' : 'Basic256Sha256');
}

/** A mode and a policy that do not go together can never open a session: refused before connecting. */
function securityProblems(c: SecurityConfig): ConfigProblem[] {
  const securityPolicy = policyOf(c);
  if ((c.securityMode === 'None') === (securityPolicy === 'None')) return [];
  return [
    {
      path: c.securityPolicy === undefined ? '/securityMode' : '/securityPolicy',
      message: `security mode ${c.securityMode} cannot go with security policy ${securityPolicy}: use None with None, or a policy such as Basic256Sha256 with Sign or SignAndEncrypt`,
      code: opcuaErrors.code.OPCUA_CONFIG,
    },
  ];
}
