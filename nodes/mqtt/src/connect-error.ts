/**
 * Puts an MQTT connection failure in words an operator can act on. TLS failures from OpenSSL and
 * CONNACK refusals are otherwise cryptic (`0A00045C:SSL routines:...:alert certificate required`).
 */
export function describeConnectError(err: unknown, connectTimeoutMs?: number): string {
  // Duck-typed: errors from Node's TLS layer may come from another realm (instanceof fails).
  if (typeof err !== 'object' || err === null || typeof (err as Error).message !== 'string')
    return String(err ?? 'connection closed');
  const code = String((err as NodeJS.ErrnoException).code ?? '');
  const text = (err as Error).message;
  if (/alert certificate required/i.test(text))
    return 'the broker requires a client certificate: set certFile and keyFile';
  if (/alert (bad|unknown|unsupported) certificate|alert certificate (revoked|expired|unknown)/i.test(text)) {
    return `the broker refused the client certificate (${text.match(/alert [a-z ]+/i)?.[0] ?? code})`;
  }
  if (/CERT|SIGNATURE|SELF_SIGNED|ISSUER/.test(code)) {
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the broker's certificate is not for this host name: ${text}`;
    if (code === 'CERT_HAS_EXPIRED') return "the broker's certificate has expired";
    return `the broker's certificate is not trusted (${code}): set caFile to the CA that signed it`;
  }
  if (/not authori[sz]ed|bad user ?name or password/i.test(text))
    return `the broker refused the user name or password (${text})`;
  // mqtt.js gives up waiting for CONNACK after connectTimeout: something took the TCP connection
  // (a hung broker, a proxy whose broker is gone, a service that is not MQTT) and never answered.
  if (text === 'connack timeout') {
    const seconds = connectTimeoutMs === undefined ? '' : ` for ${connectTimeoutMs / 1000} s`;
    return `broker not answering (no CONNACK${seconds}): something accepts the connection but does not speak MQTT back`;
  }
  if (code === 'ECONNREFUSED') return 'nothing is listening there (connection refused)';
  return text;
}
