import {
  type AuthenticationResult,
  type AuthorizationCodeRequest,
  CryptoProvider,
  PublicClientApplication,
} from '@azure/msal-node';
import { REDIS_SCOPE_DEFAULT } from '../constants';
import type { AppRegistrationOptions } from '../options';
import { createRedactor } from '../redact';
import { optionalString, requiredString, scopesOption } from '../validate';
import type { PKCECodes, PKCEParams } from './authorization-code-pkce';
import { buildAppConfiguration, constructMsal } from './confidential-client';

/** Options of {@link AuthCodeFlowHelper.create}: @redis/entraid's, plus this package's MSAL options. */
export interface AuthCodeFlowHelperParams
  extends Pick<
    AppRegistrationOptions,
    'clientId' | 'scopes' | 'authorityConfig' | 'msalConfig' | 'logger' | 'logLevel'
  > {
  /** Redirect URI registered for the app. Required. */
  redirectUri: string;
}

/**
 * @redis/entraid's helper for the authorization code flow with PKCE: generates PKCE codes, builds
 * the authorization URL and redeems the code, on one MSAL `PublicClientApplication` (`client`).
 * `createForAuthorizationCodeWithPKCE` uses it; use it directly to drive the flow yourself.
 *
 * It does not check `state`: the flow returned by `createForAuthorizationCodeWithPKCE` does.
 */
export class AuthCodeFlowHelper {
  /** The MSAL application: authority, known authorities, network client and logger as the factory builds them. */
  readonly client: PublicClientApplication;
  /** Scopes requested. Default `['https://redis.azure.com/.default']` (the seed's was `['user.read']`). */
  readonly scopes: string[];
  readonly redirectUri: string;

  private constructor(client: PublicClientApplication, scopes: string[], redirectUri: string) {
    this.client = client;
    this.scopes = scopes;
    this.redirectUri = redirectUri;
  }

  /** The URL to send the user to; `state` is sent unchanged when given. */
  getAuthCodeUrl(pkceCodes: { challenge: string; challengeMethod: string; state?: string }): Promise<string> {
    const state = optionalString('state', pkceCodes?.state);
    return this.client.getAuthCodeUrl({
      scopes: this.scopes,
      redirectUri: this.redirectUri,
      codeChallenge: requiredString('pkceCodes.challenge', pkceCodes?.challenge),
      codeChallengeMethod: pkceCodes.challengeMethod ?? 'S256',
      ...(state === undefined ? {} : { state }),
    });
  }

  /** Redeems the code from the redirect for tokens (the first access token and a refresh token). */
  acquireTokenByCode(params: PKCEParams): Promise<AuthenticationResult> {
    const clientInfo = optionalString('clientInfo', params?.clientInfo);
    const request: AuthorizationCodeRequest = {
      code: requiredString('code', params?.code),
      codeVerifier: requiredString('verifier', params?.verifier),
      scopes: this.scopes,
      redirectUri: this.redirectUri,
      ...(clientInfo === undefined ? {} : { clientInfo }),
    };
    return this.client.acquireTokenByCode(request);
  }

  /** New PKCE codes (S256). */
  static async generatePKCE(): Promise<PKCECodes> {
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    return { verifier, challenge, challengeMethod: 'S256' };
  }

  /** Validates `params` (InvalidOptionError naming the option) and builds the MSAL application. */
  static create(params: AuthCodeFlowHelperParams): AuthCodeFlowHelper {
    const redirectUri = requiredString('redirectUri', params?.redirectUri);
    const scopes = scopesOption('scopes', params.scopes, [REDIS_SCOPE_DEFAULT]);
    const config = buildAppConfiguration(params, {}, createRedactor([]), { appOnly: false });
    return new AuthCodeFlowHelper(
      constructMsal(() => new PublicClientApplication(config)),
      scopes,
      redirectUri,
    );
  }
}
