import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayTlsOptions } from '../gateway/options';
import { createCertificateAuthority } from '../tls';

/** TLS material of the gateway listener and the CA bundle clients trust. */
export interface GatewayTlsMaterial {
  /** Server certificate (SAN localhost, 127.0.0.1, ::1) and key for the gateway. */
  readonly listener: GatewayTlsOptions;
  /** The gateway CA's certificate, PEM. */
  readonly caPem: string;
}

/**
 * Issues the gateway's server certificate from a CA made for this run. The Entra emulator keeps
 * its own CA's key private, so the gateway gets a second CA; clients get both in one bundle.
 */
export async function createGatewayTls(): Promise<GatewayTlsMaterial> {
  const ca = await createCertificateAuthority('authx emulator Redis gateway CA');
  const certificate = await ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1', '::1'] });
  return { listener: certificate, caPem: ca.certPem };
}

/** A PEM file holding several CA certificates (for NODE_EXTRA_CA_CERTS, redis-cli --cacert). */
export interface CaBundleFile {
  readonly path: string;
  remove(): void;
}

/** Writes `pems` into one file in a fresh temporary directory. */
export function writeCaBundle(pems: readonly string[]): CaBundleFile {
  const dir = mkdtempSync(join(tmpdir(), 'authx-emulator-ca-'));
  const path = join(dir, 'ca-bundle.pem');
  writeFileSync(path, pems.map((pem) => pem.trim()).join('\n') + '\n');
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
