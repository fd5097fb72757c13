import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throw-away CA, a broker certificate for 127.0.0.1 signed by it, and a client certificate. */
export interface TestCertificates {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** Makes a CA and the certificates it signs with Debian's openssl, in a new temporary folder. */
export function makeCertificates(name = 'tagflow-test'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-certs-'));
  const file = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} CA`,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  const sign = (stem: string, subject: string, extensions: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${stem}.key`, '-out', `${stem}.csr`);
    execFileSync('sh', ['-c', `printf '%s\\n' '${extensions}' > ${stem}.ext`], { cwd: dir });
    openssl(
      'x509',
      '-req',
      '-in',
      `${stem}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${stem}.ext`,
      '-out',
      `${stem}.crt`,
    );
  };
  sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  sign('client', `/CN=${name}-client`, 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
  };
}
