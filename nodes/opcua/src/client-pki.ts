import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';

/** Folder of the client PKI under the runtime's data dir: `own/` (the client certificate), `trusted/`, `rejected/`. */
export function clientPkiFolder(dataDir: string): string {
  return join(dataDir, 'opcua-pki');
}

/**
 * Opens the client's certificate store, creating it (and the client's self-signed certificate) on
 * first use. One store per runtime: servers see one tagflow client identity, trusted once.
 * `autoAccept` adds an unknown server certificate to `trusted/` instead of refusing it (and putting
 * it in `rejected/`, from where an operator moves it to `trusted/` to trust it).
 */
export async function openClientPki(dataDir: string, autoAccept: boolean): Promise<OPCUACertificateManager> {
  const pki = new OPCUACertificateManager({
    rootFolder: clientPkiFolder(dataDir),
    automaticallyAcceptUnknownCertificate: autoAccept,
  });
  await pki.initialize();
  return pki;
}
