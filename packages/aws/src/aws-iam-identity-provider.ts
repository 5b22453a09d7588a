import {
  type Clock,
  type IdentityProvider,
  IdentityProviderError,
  raceAbort,
  systemClock,
  type TokenResponse,
} from '@authx/token-core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { describeAwsError, toAwsIdentityProviderError } from './classify-error';
import { AwsIamErrorCode } from './error-codes';
import { createIamAuthToken, type IamAuthService } from './iam-auth-token';
import type { ResolvedAwsIamOptions } from './options';

/**
 * Mints ElastiCache / MemoryDB IAM tokens: for each request it resolves the credentials afresh
 * (temporary role credentials rotate) and presigns a new token. The token's lifetime is
 * `expiresInSeconds` from its (whole-second) signing date, or less when the credentials expire
 * sooner — a token signed with expired credentials is refused.
 */
export class AwsIamIdentityProvider implements IdentityProvider<string> {
  readonly #service: IamAuthService;
  readonly #options: ResolvedAwsIamOptions;
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #clock: Clock;

  /** @internal Built by the factories from checked options. */
  constructor(
    service: IamAuthService,
    options: ResolvedAwsIamOptions,
    credentials: AwsCredentialIdentityProvider,
    clock: Clock = systemClock,
  ) {
    this.#service = service;
    this.#options = options;
    this.#credentials = credentials;
    this.#clock = clock;
  }

  get service(): IamAuthService {
    return this.#service;
  }

  async requestToken(signal?: AbortSignal): Promise<TokenResponse<string>> {
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await raceAbort(
        Promise.resolve().then(() => this.#credentials()),
        signal,
        (reason) =>
          Object.assign(
            new Error(`aborted: ${reason instanceof Error ? reason.message : 'request aborted'}`),
            {
              name: 'AbortError',
            },
          ),
      );
    } catch (error) {
      throw toAwsIdentityProviderError(error);
    }
    if (
      typeof credentials?.accessKeyId !== 'string' ||
      credentials.accessKeyId === '' ||
      typeof credentials.secretAccessKey !== 'string' ||
      credentials.secretAccessKey === ''
    ) {
      throw new IdentityProviderError('AWS credentials provider returned no accessKeyId / secretAccessKey', {
        code: AwsIamErrorCode.INVALID_CREDENTIALS,
        isRetryable: false,
      });
    }
    const now = this.#clock.now();
    const credentialsExpireAtMs = credentials.expiration?.getTime();
    if (credentialsExpireAtMs !== undefined && credentialsExpireAtMs <= now) {
      throw new IdentityProviderError(
        `AWS credentials provider returned credentials that expired at ${new Date(credentialsExpireAtMs).toISOString()}`,
        { code: AwsIamErrorCode.CREDENTIALS_EXPIRED, isRetryable: true },
      );
    }
    let token: string;
    try {
      token = await createIamAuthToken({
        service: this.#service,
        cacheName: this.#options.cacheName,
        userId: this.#options.userId,
        region: this.#options.region,
        serverless: this.#options.serverless,
        credentials,
        signingDate: new Date(now),
        expiresInSeconds: this.#options.expiresInSeconds,
      });
    } catch (error) {
      throw new IdentityProviderError(`Presigning the IAM token failed (${describeAwsError(error)})`, {
        code: AwsIamErrorCode.SIGNING_FAILED,
        isRetryable: false,
        cause: error,
      });
    }
    // X-Amz-Date keeps whole seconds: the token's window starts at the second it was signed in.
    const signedAtMs = Math.floor(now / 1000) * 1000;
    let expiresAtMs = signedAtMs + this.#options.expiresInSeconds * 1000;
    if (credentialsExpireAtMs !== undefined) expiresAtMs = Math.min(expiresAtMs, credentialsExpireAtMs);
    return { token, ttlMs: expiresAtMs - now };
  }

  toJSON(): object {
    return {
      type: 'AwsIamIdentityProvider',
      service: this.#service,
      cacheName: this.#options.cacheName,
      userId: this.#options.userId,
      region: this.#options.region,
    };
  }
}
