import { randomUUID } from 'node:crypto';
import { type AccountInfo, type AuthenticationResult, PublicClientApplication } from '@azure/msal-node';
import { systemClock } from '@authx/token-core';
import { EntraIdentityProvider } from '../identity-providers/entra-identity-provider';
import { invalidOption } from '../invalid-option';
import type { AppRegistrationOptions } from '../options';
import { createRedactor } from '../redact';
import { optionalString, requiredString } from '../validate';
import { AuthCodeFlowHelper } from './auth-code-flow-helper';
import { buildAppConfiguration, constructMsal } from './confidential-client';
import { PendingStates, pendingStatesLimits } from './pending-states';
import { readMsalResult } from './read-msal-result';

/** Options of the authorization code + PKCE flow (a user signs in; tokens are refreshed silently). */
export interface AuthCodePKCEParams extends AppRegistrationOptions {
  /** Redirect URI registered for the app; the authorization server sends the code there. Required. */
  redirectUri: string;
  /**
   * How long a `state` issued by `getAuthCodeUrl` is accepted by `createCredentialsProvider`, in
   * milliseconds. Default 900000 (15 min).
   */
  stateTtlMs?: number;
  /**
   * At most this many issued states wait for their redirect; issuing one more forgets the oldest
   * (its redirect is then refused). Integer ≥ 1. Default 1000.
   */
  maxPendingStates?: number;
}

/** A PKCE verifier/challenge pair (challengeMethod is always 'S256'). */
export interface PKCECodes {
  verifier: string;
  challenge: string;
  challengeMethod: string;
}

/** What the redirect delivered, plus the verifier of the PKCE pair used for the authorization URL. */
export interface PKCEParams {
  /** The authorization code from the redirect. */
  code: string;
  /** The PKCE verifier whose challenge went into the authorization URL. */
  verifier: string;
  /** `client_info` from the redirect, if any. */
  clientInfo?: string;
  /**
   * `state` from the redirect; when given it must be exactly one issued by getAuthCodeUrl, not older
   * than `stateTtlMs` (checked here, once).
   */
  state?: string;
}

/** The state machine of one authorization-code sign-in (as @redis/entraid's, plus `state`). */
export interface AuthCodePKCEFlow<P> {
  /** New PKCE codes (S256). */
  getPKCECodes(): Promise<PKCECodes>;
  /** The URL to send the user to. `state` defaults to a random value; it is remembered for the redirect check. */
  getAuthCodeUrl(pkceCodes: { challenge: string; challengeMethod: string; state?: string }): Promise<string>;
  /** A provider whose first token comes from the code and later ones from the refresh token. */
  createCredentialsProvider(params: PKCEParams): P;
}

/** Builds the flow; `toProvider` wraps each identity provider into a credentials provider. */
export function createAuthorizationCodeFlow<P>(
  options: AuthCodePKCEParams,
  requireOid: boolean,
  toProvider: (identityProvider: EntraIdentityProvider<AuthenticationResult>) => P,
): AuthCodePKCEFlow<P> {
  const helper = AuthCodeFlowHelper.create(options);
  const { redirectUri, scopes } = helper;
  const redact = createRedactor([]);
  const config = buildAppConfiguration(options, {}, redact, { appOnly: false });
  const { ttlMs, maxEntries } = pendingStatesLimits(options);
  const clock = options.clock ?? systemClock;
  const issuedStates = new PendingStates({ ttlMs, maxEntries, nowMs: () => clock.now() });

  return {
    getPKCECodes: () => AuthCodeFlowHelper.generatePKCE(),

    async getAuthCodeUrl(pkceCodes) {
      const state = optionalString('state', pkceCodes?.state) ?? randomUUID();
      const url = await helper.getAuthCodeUrl({ ...pkceCodes, state });
      issuedStates.add(state);
      return url;
    },

    createCredentialsProvider(params) {
      const code = requiredString('code', params?.code);
      const verifier = requiredString('verifier', params?.verifier);
      const clientInfo = optionalString('clientInfo', params?.clientInfo);
      if (params.state !== undefined) {
        // Compared here, not by MSAL (passing state to acquireTokenByCode fails invalid_state).
        // msal-node sends the state unchanged, so the redirect's value must match exactly.
        const state = requiredString('state', params.state);
        if (!issuedStates.take(state)) {
          throw invalidOption(
            'state',
            'the state of an authorization URL returned by getAuthCodeUrl, used once within stateTtlMs',
            params.state,
          );
        }
      }
      let app = constructMsal(() => new PublicClientApplication(config));
      let account: AccountInfo | null = null;
      const identityProvider = new EntraIdentityProvider<AuthenticationResult>({
        flow: 'authorization code',
        async acquire() {
          if (account === null) {
            const result = await app.acquireTokenByCode({
              code,
              codeVerifier: verifier,
              redirectUri,
              scopes,
              ...(clientInfo ? { clientInfo } : {}),
            });
            account = result?.account ?? null;
            return result;
          }
          return app.acquireTokenSilent({ account, scopes, forceRefresh: true });
        },
        read: readMsalResult,
        requireOid,
        redact,
        afterFailure() {
          // After any failed attempt a fresh app (as for client credentials): MSAL's throttle cache
          // must never answer for Entra — not even for a timed-out attempt's late 429/5xx. The
          // serialized cache keeps the account and the refresh token.
          const cache = app.getTokenCache().serialize();
          app = new PublicClientApplication(config);
          app.getTokenCache().deserialize(cache);
        },
      });
      return toProvider(identityProvider);
    },
  };
}
