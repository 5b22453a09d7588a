/** The first error in a chain (`lastError`, `cause`) whose `code` starts with `prefix`, else the innermost. */
export function findError(
  error: unknown,
  prefix: string,
): { code?: string; status?: number; message: string } {
  let current: unknown = error;
  let last: { code?: string; status?: number; message: string } = { message: String(error) };
  for (let depth = 0; current && depth < 6; depth++) {
    const e = current as {
      code?: unknown;
      status?: unknown;
      message?: unknown;
      lastError?: unknown;
      cause?: unknown;
    };
    last = {
      code: typeof e.code === 'string' ? e.code : undefined,
      status: typeof e.status === 'number' ? e.status : undefined,
      message: typeof e.message === 'string' ? e.message : String(current),
    };
    if (last.code?.startsWith(prefix)) return last;
    current = e.lastError ?? e.cause;
  }
  return last;
}

/** The `AADSTS<n>: <description>` sentence of an Entra error message, if any. */
export function aadstsOf(message: string): { number: string; text: string } | undefined {
  const match = /AADSTS(\d+): ([^.]*\.)/.exec(message);
  return match ? { number: match[1], text: `AADSTS${match[1]}: ${match[2]}` } : undefined;
}

/** A socket / TLS error's code, e.g. `ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** TLS verification failures that mean "this certificate's issuer is not trusted here". */
export const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

export const TRUST_FIX =
  'trust the issuing CA: --ca-file <ca.pem> (or AUTHX_CA_FILE), or NODE_EXTRA_CA_CERTS=<ca.pem> for your application (read at process start; it replaces any value already set). Azure endpoints use public CAs: an untrusted one usually means a TLS-inspecting proxy';
