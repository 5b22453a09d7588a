import { request as httpsRequest } from 'node:https';
import { errnoOf } from './describe-failure';

/** What a direct GET of the authority's OIDC document found. */
export type AuthorityProbe =
  | { kind: 'ok' }
  | { kind: 'tls'; code: string; message: string }
  | { kind: 'unreachable'; code: string; message: string }
  | { kind: 'http'; status: number; error?: string; description?: string };

/**
 * GETs `{authority}/v2.0/.well-known/openid-configuration` with the doctor's trust store, to tell
 * apart what MSAL reports as one `endpoints_resolution_error`: an untrusted certificate, an
 * unreachable host, or an authority that answers with an error (an unknown tenant: AADSTS90002).
 */
export function probeAuthority(
  authority: string,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<AuthorityProbe> {
  return new Promise((resolve) => {
    const url = new URL(`${authority}/v2.0/.well-known/openid-configuration`);
    const request = httpsRequest(
      url,
      { method: 'GET', timeout: timeoutMs, ...(ca ? { ca } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) =>
          resolve({ kind: 'unreachable', code: errnoOf(error) ?? 'ERROR', message: error.message }),
        );
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status === 200) {
            resolve({ kind: 'ok' });
            return;
          }
          let body: { error?: unknown; error_description?: unknown } = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            // Not JSON: the status says enough.
          }
          resolve({
            kind: 'http',
            status,
            ...(typeof body.error === 'string' ? { error: body.error } : {}),
            ...(typeof body.error_description === 'string' ? { description: body.error_description } : {}),
          });
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    request.on('error', (error) => {
      const code = errnoOf(error) ?? 'ERROR';
      const tls = code.startsWith('ERR_TLS') || /CERT|SELF_SIGNED|VERIFY/.test(code);
      resolve({ kind: tls ? 'tls' : 'unreachable', code, message: error.message });
    });
    request.end();
  });
}
