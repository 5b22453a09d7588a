import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * The CA list for a TLS connection that trusts `extraPem` on top of what Node trusts by default
 * (its root store plus NODE_EXTRA_CA_CERTS): giving `ca` replaces the defaults, so they are re-added.
 * `undefined` (Node's defaults) without an extra CA.
 */
export function trustedCas(
  extraPem: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  if (extraPem === undefined) return undefined;
  const cas = [...rootCertificates];
  const fromEnv = env.NODE_EXTRA_CA_CERTS;
  if (fromEnv) {
    try {
      cas.push(readFileSync(fromEnv, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS.
    }
  }
  cas.push(extraPem);
  return cas;
}
