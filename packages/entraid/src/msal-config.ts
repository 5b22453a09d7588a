import type { NodeSystemOptions } from '@azure/msal-node';
import { type EntraIdLogLevel, LOG_LEVELS, msalLoggerOptions } from './logger';
import { FetchNetworkClient } from './network/fetch-network-client';
import { ObservingNetworkClient } from './network/observing-network-client';
import type { BaseProviderOptions, MsalConfigOverrides } from './options';
import type { Redactor } from './redact';
import { oneOf, optionalObject } from './validate';

/**
 * MSAL `system` options: logger bridge, our observing network client (around the user's one, if
 * any), and — for managed identity — MSAL's own retries off so token-core's policy alone owns timing.
 */
export function buildSystemOptions(
  options: Pick<BaseProviderOptions, 'logger' | 'logLevel'> & { msalConfig?: MsalConfigOverrides },
  redact: Redactor,
  { managedIdentity }: { managedIdentity: boolean },
): NodeSystemOptions {
  const overrides = optionalObject<MsalConfigOverrides>('msalConfig', options.msalConfig) ?? {};
  const system = optionalObject<NodeSystemOptions>('msalConfig.system', overrides.system) ?? {};
  const level = oneOf<EntraIdLogLevel>('logLevel', options.logLevel, LOG_LEVELS, 'warning');
  return {
    ...(managedIdentity ? { disableInternalRetries: true } : {}),
    ...system,
    loggerOptions: system.loggerOptions ?? msalLoggerOptions(options.logger, level, redact),
    networkClient: new ObservingNetworkClient(system.networkClient ?? new FetchNetworkClient()),
  };
}
