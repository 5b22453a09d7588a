import type { AuthenticationResult } from '@azure/msal-node';
import { AudienceCheckingIdentityProvider, expectedAudiencesOption } from './audience';
import { type AuthorityConfig, resolveAuthority } from './authority';
import { type AuthenticationResponse, isAccessToken } from './credentials-mapper';
import { EntraidCredentialsProvider } from './entraid-credentials-provider';
import {
  type AuthCodePKCEFlow,
  type AuthCodePKCEParams,
  createAuthorizationCodeFlow,
} from './flows/authorization-code-pkce';
import {
  type ClientCertificateOptions,
  freshAssertionCallback,
  loadClientCertificate,
} from './flows/client-certificate';
import { createConfidentialIdentityProvider } from './flows/confidential-client';
import {
  createManagedIdentityIdentityProvider,
  type ManagedIdentityOptions,
  type UserAssignedManagedIdentityOptions,
  userAssignedIdParams,
} from './flows/managed-identity';
import {
  createTokenCredentialIdentityProvider,
  type DefaultAzureCredentialsParams,
} from './flows/token-credential';
import type { EntraIdentityProvider } from './identity-providers/entra-identity-provider';
import { invalidOption } from './invalid-option';
import type { AppRegistrationOptions, BaseProviderOptions } from './options';
import { createRedactor } from './redact';
import type { AccessToken } from './token-credential';
import { optionalObject, requiredString } from './validate';

/** Options of {@link EntraIdCredentialsProviderFactory.createForClientCredentials}. */
export interface ClientSecretCredentialsParams extends AppRegistrationOptions {
  /** Client secret of the app registration. Required; never logged or shown in errors. */
  clientSecret: string;
}

/** Options of {@link EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate}. */
export interface ClientCredentialsWithCertificateParams extends AppRegistrationOptions {
  /** The client certificate; see {@link ClientCertificateOptions}. Required. */
  certificate: ClientCertificateOptions;
}

/**
 * Creates credentials providers for Azure Cache for Redis / Azure Managed Redis, one static method
 * per Entra ID flow — the same names and option shapes as @redis/entraid. Every provider can be
 * passed to node-redis as `credentialsProvider`. Invalid options throw InvalidOptionError here.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: the @redis/entraid API is a class of static factory methods.
export class EntraIdCredentialsProviderFactory {
  /** Managed identity, system-assigned, or user-assigned when `userAssignedClientId` is given. */
  static createManagedIdentityProvider(
    params: ManagedIdentityOptions,
    userAssignedClientId?: string,
  ): EntraidCredentialsProvider {
    const options = checkParams<ManagedIdentityOptions>(params);
    const idParams =
      userAssignedClientId === undefined
        ? undefined
        : { userAssignedClientId: requiredString('userAssignedClientId', userAssignedClientId) };
    return provider(
      createManagedIdentityIdentityProvider(options, idParams, usesDefaultMapper(options)),
      options,
    );
  }

  /** System-assigned managed identity of the Azure resource the process runs on. */
  static createForSystemAssignedManagedIdentity(
    params: ManagedIdentityOptions = {},
  ): EntraidCredentialsProvider {
    const options = checkParams<ManagedIdentityOptions>(params);
    return provider(
      createManagedIdentityIdentityProvider(options, undefined, usesDefaultMapper(options)),
      options,
    );
  }

  /** User-assigned managed identity, by exactly one of userAssignedClientId, userAssignedObjectId, userAssignedResourceId. */
  static createForUserAssignedManagedIdentity(
    params: UserAssignedManagedIdentityOptions,
  ): EntraidCredentialsProvider {
    const options = checkParams<UserAssignedManagedIdentityOptions>(params);
    return provider(
      createManagedIdentityIdentityProvider(
        options,
        userAssignedIdParams(options),
        usesDefaultMapper(options),
      ),
      options,
    );
  }

  /** Service principal with a client secret (client credentials grant). */
  static createForClientCredentials(params: ClientSecretCredentialsParams): EntraidCredentialsProvider {
    const options = checkParams<ClientSecretCredentialsParams>(params);
    const clientSecret = requiredString('clientSecret', options.clientSecret);
    const redact = createRedactor([clientSecret]);
    const idp = createConfidentialIdentityProvider(
      'client credentials',
      options,
      { clientSecret },
      redact,
      usesDefaultMapper(options),
    );
    return provider(idp, options);
  }

  /** Service principal with a certificate (client assertion signed with its private key). */
  static createForClientCredentialsWithCertificate(
    params: ClientCredentialsWithCertificateParams,
  ): EntraidCredentialsProvider {
    const options = checkParams<ClientCredentialsWithCertificateParams>(params);
    const { clientCertificate, secrets } = loadClientCertificate(options.certificate);
    const redact = createRedactor(secrets);
    const idp = createConfidentialIdentityProvider(
      'client certificate',
      options,
      { clientAssertion: freshAssertionCallback(clientCertificate) },
      redact,
      usesDefaultMapper(options),
    );
    return provider(idp, options);
  }

  /** Any TokenCredential from @azure/identity (DefaultAzureCredential, WorkloadIdentityCredential, …). */
  static createForDefaultAzureCredential(params: DefaultAzureCredentialsParams): EntraidCredentialsProvider {
    const options = checkParams<DefaultAzureCredentialsParams>(params);
    return provider(createTokenCredentialIdentityProvider(options, usesDefaultMapper(options)), options);
  }

  /**
   * Authorization code + PKCE: `getPKCECodes()`, send the user to `getAuthCodeUrl(codes)`, then
   * `createCredentialsProvider({ code, verifier, state })` with what the redirect delivered. Later
   * tokens come silently from the refresh token.
   */
  static createForAuthorizationCodeWithPKCE(
    params: AuthCodePKCEParams,
  ): AuthCodePKCEFlow<EntraidCredentialsProvider> {
    const options = checkParams<AuthCodePKCEParams>(params);
    return createAuthorizationCodeFlow(options, usesDefaultMapper(options), (idp) => provider(idp, options));
  }

  /**
   * The authority URL an {@link AuthorityConfig} stands for (@redis/entraid's helper): `multi-tenant`
   * → `<login host>/<tenantId>`, `default` → `<login host>/common`, `custom` → the URL. Unlike the
   * seed's, the login host honours `cloud` and `AZURE_AUTHORITY_HOST`, a custom URL must be https and
   * is normalised (no trailing slash), and an invalid config throws `InvalidOptionError`.
   */
  static getAuthority(config: AuthorityConfig): string {
    return resolveAuthority(config, { appOnly: false }).authority;
  }
}

function checkParams<P extends object>(params: unknown): P {
  const options = optionalObject<P>('params', params);
  if (options === undefined) throw invalidOption('params', 'an options object', params);
  // Checked here so a bad value fails at construction for every flow (PKCE builds its provider later).
  expectedAudiencesOption((options as BaseProviderOptions).expectedAudiences);
  return options;
}

function usesDefaultMapper(options: BaseProviderOptions): boolean {
  return options.credentialsMapper === undefined;
}

function provider(
  identityProvider: EntraIdentityProvider<AuthenticationResult> | EntraIdentityProvider<AccessToken>,
  options: BaseProviderOptions,
): EntraidCredentialsProvider {
  // Both result shapes are AuthenticationResponse; the identity provider only produces, never consumes, them.
  // Every flow's tokens pass the audience check here, before the token manager hands them out.
  const checked = new AudienceCheckingIdentityProvider<AuthenticationResponse>(
    identityProvider as EntraIdentityProvider<AuthenticationResponse>,
    expectedAudiencesOption(options.expectedAudiences),
    (result) => (isAccessToken(result) ? result.token : (result as AuthenticationResult).accessToken),
  );
  return new EntraidCredentialsProvider(checked, options);
}
