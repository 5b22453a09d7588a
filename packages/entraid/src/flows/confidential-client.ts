import {
  type AuthenticationResult,
  type Configuration,
  ConfidentialClientApplication,
  type NodeAuthOptions,
} from '@azure/msal-node';
import { resolveAuthority } from '../authority';
import { REDIS_SCOPE_DEFAULT } from '../constants';
import { EntraIdentityProvider } from '../identity-providers/entra-identity-provider';
import { invalidOption } from '../invalid-option';
import { buildSystemOptions } from '../msal-config';
import type { AppRegistrationOptions, MsalConfigOverrides } from '../options';
import type { Redactor } from '../redact';
import { optionalObject, requiredString, scopesOption } from '../validate';
import { readMsalResult } from './read-msal-result';

/** How the confidential client proves its identity. */
export type ClientCredential = Pick<NodeAuthOptions, 'clientSecret' | 'clientAssertion'>;

/** MSAL Configuration for an app registration, with the authority resolved and known authorities merged. */
export function buildAppConfiguration(
  options: AppRegistrationOptions,
  credential: ClientCredential,
  redact: Redactor,
  { appOnly }: { appOnly: boolean },
): Configuration {
  const clientId = requiredString('clientId', options.clientId);
  const { authority, knownAuthorities } = resolveAuthority(options.authorityConfig, { appOnly });
  const overrides = optionalObject<MsalConfigOverrides>('msalConfig', options.msalConfig) ?? {};
  const auth =
    optionalObject<NonNullable<MsalConfigOverrides['auth']>>('msalConfig.auth', overrides.auth) ?? {};
  return {
    auth: {
      ...auth,
      ...credential,
      clientId,
      authority,
      knownAuthorities: [...new Set([...knownAuthorities, ...(auth.knownAuthorities ?? [])])],
    },
    system: buildSystemOptions(options, redact, { managedIdentity: false }),
    ...(overrides.cache ? { cache: overrides.cache } : {}),
  };
}

/** Runs an MSAL constructor, reporting a configuration it refuses as InvalidOptionError. */
export function constructMsal<A>(create: () => A): A {
  try {
    return create();
  } catch (error) {
    const code = (error as { errorCode?: unknown }).errorCode;
    throw invalidOption(
      'msalConfig',
      `a configuration MSAL accepts (MSAL refused it: ${typeof code === 'string' ? code : 'unknown'})`,
      undefined,
    );
  }
}

/**
 * Client credentials (secret or certificate): app-only tokens. Each refresh asks Entra ID for a new
 * token (`skipCache`). After a 429/5xx MSAL would refuse locally for up to 60 s; the app is replaced
 * instead, so the retry policy's timing (and the server's Retry-After, as a hint) decide.
 */
export function createConfidentialIdentityProvider(
  flow: string,
  options: AppRegistrationOptions,
  credential: ClientCredential,
  redact: Redactor,
  requireOid: boolean,
): EntraIdentityProvider<AuthenticationResult> {
  const scopes = scopesOption('scopes', options.scopes, [REDIS_SCOPE_DEFAULT]);
  const config = buildAppConfiguration(options, credential, redact, { appOnly: true });
  let app: ConfidentialClientApplication | undefined = constructMsal(
    () => new ConfidentialClientApplication(config),
  );
  return new EntraIdentityProvider<AuthenticationResult>({
    flow,
    acquire: () => {
      app ??= new ConfidentialClientApplication(config);
      return app.acquireTokenByClientCredential({ scopes, skipCache: true });
    },
    read: readMsalResult,
    requireOid,
    redact,
    // After ANY failed attempt the next one uses a fresh app: MSAL records 429/5xx answers in a
    // per-app throttle cache and then refuses locally for up to 60 s — also for the late answer of
    // an attempt that timed out (no response yet when this runs) and for its own local refusals
    // (no response at all). Our retry and recovery policies decide the timing, never that cache.
    afterFailure() {
      app = undefined;
    },
  });
}
