import type { NodeLogger, ResourceContext } from '@tagflow/node-sdk';
import { NodeError } from '@tagflow/node-sdk';
import { MessageSecurityMode, OPCUAClient, SecurityPolicy, UserTokenType } from 'node-opcua';
import type { ClientSession, UserIdentityInfo } from 'node-opcua';
import type { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { clientPkiFolder, openClientPki } from './client-pki';
import { opcuaErrors } from './error-codes';
import { errorText } from './error-text';
import { routeNodeOpcuaLogsToStderr } from './node-opcua-logs';
import { OpcuaConnection } from './opcua-connection';

/** The name of the client application, as servers see it (and as its certificate says). */
const APPLICATION_NAME = 'tagflow';

/** The opcua-server settings a session is opened from (its config, defaults applied, the policy resolved). */
export interface OpcuaServerSettings {
  endpointUrl: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  securityPolicy: 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';
  userName?: string;
  passwordEnv?: string;
  autoAcceptServerCertificate: boolean;
  sessionTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * Connects to the server and opens a session, or rejects with a NodeError in plain words. The
 * only way in to node-opcua at run time: the opcua-server resource requires this module on its
 * first `create`, so a runtime whose flows use no OPC UA never loads it.
 */
export async function openOpcuaConnection(
  c: OpcuaServerSettings,
  ctx: Pick<ResourceContext, 'id' | 'dataDir' | 'log' | 'secret' | 'lost'>,
): Promise<OpcuaConnection> {
  routeNodeOpcuaLogsToStderr();
  const url = c.endpointUrl;
  const identity = userIdentity(c.userName, c.passwordEnv, url, ctx.secret);

  const pki = await openClientPki(ctx.dataDir, c.autoAcceptServerCertificate);
  const client = OPCUAClient.create({
    applicationName: APPLICATION_NAME,
    clientName: `tagflow-${ctx.id}`,
    endpointMustExist: false,
    securityMode: MessageSecurityMode[c.securityMode],
    securityPolicy: SecurityPolicy[c.securityPolicy],
    // One attempt only: the runtime reconnects, with backoff, for every connector alike.
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    requestedSessionTimeout: c.sessionTimeoutMs,
    defaultTransactionTimeout: c.requestTimeoutMs,
    // A flow with only reads and writes has no subscription keep-alive to notice a dead server.
    keepSessionAlive: true,
    clientCertificateManager: pki,
  });

  let session: ClientSession;
  try {
    await client.connect(url);
  } catch (err) {
    await abandon(client, pki, ctx.log);
    throw connectError(err, url, ctx.dataDir);
  }
  try {
    session = await client.createSession(identity);
  } catch (err) {
    await abandon(client, pki, ctx.log);
    throw sessionError(err, url, c.userName);
  }

  const connection = new OpcuaConnection(url, client, session, pki, ctx.log);
  let reported = false;
  const lost = (why: string) => {
    if (connection.closed || reported) return;
    reported = true;
    ctx.lost(new Error(`connection to ${url} lost: ${why}`));
  };
  client.on('connection_lost', () => lost('connection broken'));
  client.on('close', (err?: Error | null) => lost(err?.message ?? 'closed by the server'));
  session.on('session_closed', (status) => lost(`session closed (${status.name})`));
  session.on('keepalive_failure', () => lost('the server stopped answering keep-alives'));
  return connection;
}

function userIdentity(
  userName: string | undefined,
  passwordEnv: string | undefined,
  url: string,
  secret: (name: string) => string | undefined,
): UserIdentityInfo {
  if (userName === undefined) return { type: UserTokenType.Anonymous };
  const password = passwordEnv === undefined ? undefined : secret(passwordEnv);
  if (password === undefined)
    throw new NodeError(
      opcuaErrors.code.SECRET_MISSING,
      `the password of "${userName}" on ${url} is to come from "${passwordEnv}", which is not set`,
    );
  return { type: UserTokenType.UserName, userName, password };
}

/** Releases a client that never became a connection; a failure here must not hide the first one. */
async function abandon(client: OPCUAClient, pki: OPCUACertificateManager, log: NodeLogger): Promise<void> {
  const report = (err: unknown) => log.debug('cleaning up a failed connect failed', { error: String(err) });
  await client.disconnect().catch(report);
  await pki.dispose().catch(report);
}

function connectError(err: unknown, url: string, dataDir: string): NodeError {
  const text = errorText(err);
  if (/BadCertificateUntrusted|certificate verification failed/i.test(text)) {
    const pki = clientPkiFolder(dataDir);
    return new NodeError(
      opcuaErrors.code.OPCUA_CERT_UNTRUSTED,
      `the certificate of ${url} is not trusted: move it from ${pki}/rejected to ${pki}/trusted/certs (or set autoAcceptServerCertificate)`,
      { reason: text },
    );
  }
  return new NodeError(opcuaErrors.code.OPCUA_CONNECT, `cannot connect to ${url}: ${text}`);
}

function sessionError(err: unknown, url: string, userName: string | undefined): NodeError {
  const text = errorText(err);
  if (/BadUserAccessDenied|BadIdentityToken/i.test(text)) {
    const who =
      userName === undefined ? 'anonymous login' : `the login of "${userName}" (wrong user name or password?)`;
    return new NodeError(opcuaErrors.code.OPCUA_LOGIN, `${url} refused ${who}: ${text}`);
  }
  return new NodeError(opcuaErrors.code.OPCUA_SESSION, `cannot open a session on ${url}: ${text}`);
}
