import type { ValidationResult } from './token-validator';

/**
 * How the gateway checks the password of `AUTH` / `HELLO … AUTH`: the seam between the RESP
 * proxy and a cloud's rules. The default is the Entra ID token validator (Azure Cache for
 * Redis); the `elasticache` / `memorydb` profiles verify SigV4-presigned IAM tokens, `memorystore`
 * Google access tokens. The accepted principal's `expiresAtMs` / `evictAtMs` decide when the
 * connection is closed unless a later AUTH takes effect.
 */
export interface CredentialVerifier {
  /** `username` is `default` for `AUTH <password>` unless the gateway is told otherwise. */
  validate(username: string, password: string): Promise<ValidationResult>;
}

/** True for an object with a `validate` function. */
export function isCredentialVerifier(value: unknown): value is CredentialVerifier {
  return typeof (value as { validate?: unknown } | null)?.validate === 'function';
}
