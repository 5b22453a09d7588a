import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CloudHttpServer, type EndpointOutage, sendJson } from '../cloud-http-server';
import { type GatewayClock, systemClock } from '../gateway/clock';
import type { AwsCredentialStore, AwsKeyPair } from './aws-credential-store';

/** Options of {@link startAwsContainerCredentialsEndpoint}. */
export interface AwsContainerCredentialsEndpointOptions {
  /** Where issued credentials are registered (the gateways verify against it). Required. */
  readonly store: AwsCredentialStore;
  /** Lifetime of each set of temporary credentials, in ms; default 6 h (ECS task roles). */
  readonly credentialsLifetimeMs?: number;
  /**
   * A set is handed out again until this long after it was issued, then a new one is issued
   * (rotation), in ms; default half of `credentialsLifetimeMs`.
   */
  readonly rotateAfterMs?: number;
  /** The value clients must send as `Authorization` (`AWS_CONTAINER_AUTHORIZATION_TOKEN`); default random. */
  readonly authorizationToken?: string;
  /** Listen address; default `127.0.0.1` (the AWS SDK accepts plain http only on loopback / the ECS and EKS hosts). */
  readonly host?: string;
  readonly port?: number;
  readonly clock?: GatewayClock;
}

/**
 * An ECS / EKS Pod Identity style container credentials endpoint: `GET` with
 * `Authorization: <token>` answers `{ AccessKeyId, SecretAccessKey, Token, Expiration, AccountId }`
 * with temporary credentials that rotate. Point the AWS SDK at it with {@link env}.
 */
export interface AwsContainerCredentialsEndpoint {
  readonly url: string;
  /** `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN` for this endpoint. */
  readonly env: Readonly<
    Record<'AWS_CONTAINER_CREDENTIALS_FULL_URI' | 'AWS_CONTAINER_AUTHORIZATION_TOKEN', string>
  >;
  /** Credential requests received (refused and failed ones included). */
  readonly requests: number;
  /** Sets of credentials issued so far. */
  readonly issued: number;
  /** The set handed out now (undefined before the first request). Contains secrets: for tests only. */
  current(): AwsKeyPair | undefined;
  /** Issues a new set at the next request, whatever the age of the current one. */
  rotate(): void;
  /** Makes the endpoint fail (`'reset'`, or an HTTP status) until called with `false`. */
  setOutage(outage: EndpointOutage): void;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const HOUR_MS = 3_600_000;

export async function startAwsContainerCredentialsEndpoint(
  options: AwsContainerCredentialsEndpointOptions,
): Promise<AwsContainerCredentialsEndpoint> {
  const clock = options.clock ?? systemClock;
  const lifetimeMs = options.credentialsLifetimeMs ?? 6 * HOUR_MS;
  const rotateAfterMs = options.rotateAfterMs ?? lifetimeMs / 2;
  if (!(lifetimeMs > 0) || !(rotateAfterMs > 0) || rotateAfterMs > lifetimeMs) {
    throw new TypeError('credentialsLifetimeMs must be > 0 and rotateAfterMs in (0, credentialsLifetimeMs]');
  }
  const authorization = options.authorizationToken ?? randomBytes(24).toString('base64url');
  let current: (AwsKeyPair & { expiresAtMs: number; issuedAtMs: number }) | undefined;
  let issued = 0;
  let forceRotation = false;
  const server = new CloudHttpServer(
    (request, response) => {
      const given = Buffer.from(request.headers.authorization ?? '', 'utf8');
      const expected = Buffer.from(authorization, 'utf8');
      if (request.method !== 'GET' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        sendJson(response, 403, { Code: 'AccessDenied', Message: 'Invalid authorization token' });
        return;
      }
      const now = clock.now();
      if (!current || forceRotation || now - current.issuedAtMs >= rotateAfterMs) {
        current = { ...options.store.issueTemporary(lifetimeMs), issuedAtMs: now };
        issued++;
        forceRotation = false;
      }
      sendJson(response, 200, {
        AccessKeyId: current.accessKeyId,
        SecretAccessKey: current.secretAccessKey,
        Token: current.sessionToken,
        Expiration: new Date(current.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        AccountId: '123456789012',
      });
    },
    (status) => ({
      Code: status >= 500 ? 'InternalError' : 'AccessDenied',
      Message: `emulated outage ${status}`,
    }),
  );
  await server.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  const url = `http://${options.host ?? '127.0.0.1'}:${server.port}/v2/credentials/emulator`;
  const stop = () => server.stop();
  return {
    url,
    env: Object.freeze({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: authorization,
    }),
    get requests() {
      return server.requests;
    },
    get issued() {
      return issued;
    },
    current: () => current,
    rotate: () => {
      forceRotation = true;
    },
    setOutage: (outage) => server.setOutage(outage),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
