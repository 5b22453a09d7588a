import { readFileSync } from 'node:fs';
import { InvalidOptionError, type TokenManagerConfig } from '@authx/token-core';
import { AZURE_AUTHORITY_HOSTS, REDIS_SCOPE_DEFAULT } from '../constants';
import { EntraIdCredentialsProviderFactory } from '../entra-id-credentials-provider-factory';
import type { EntraidCredentialsProvider } from '../entraid-credentials-provider';
import type { MsalConfigOverrides } from '../options';
import { HttpsNetworkClient } from './https-network-client';
import { trustedCas } from './trust';
import {
  DOCTOR_FLOWS,
  type DoctorConfig,
  type DoctorFlow,
  type DoctorInput,
  type InputSource,
  fail,
  pass,
  type StepResult,
} from './types';

const TITLE = 'configuration valid';
const DEFAULT_TIMEOUT_MS = 10_000;

/** Outcome of the configuration step: the validated config and a provider built with the factory. */
export interface ConfigurationOutcome {
  result: StepResult;
  config?: DoctorConfig;
  provider?: EntraidCredentialsProvider;
}

class BadOption extends Error {
  constructor(
    readonly option: string,
    readonly problem: string,
    readonly fixText: string,
  ) {
    super(problem);
  }
}

/**
 * Step 1: every option present and well formed (naming the flag or environment variable that is
 * wrong), then the same factory call an application would make — so what the factory refuses is
 * reported here too, by option name.
 */
export function checkConfiguration(input: DoctorInput, source: InputSource): ConfigurationOutcome {
  let config: DoctorConfig;
  try {
    config = validate(input, source);
  } catch (error) {
    if (!(error instanceof BadOption)) throw error;
    return {
      result: fail('configuration', TITLE, {
        code: 'CONFIG_INVALID_OPTION',
        detail: `${error.option}: ${error.problem}`,
        cause: `the option ${error.option} is ${error.problem}`,
        fix: error.fixText,
        data: { option: error.option },
      }),
    };
  }
  let provider: EntraidCredentialsProvider;
  try {
    provider = createProvider(config);
  } catch (error) {
    if (!InvalidOptionError.isInstance(error)) throw error;
    const option = factoryOptionName(error.option, config.flow);
    return {
      result: fail('configuration', TITLE, {
        code: 'CONFIG_INVALID_OPTION',
        detail: `${option}: ${error.message}`,
        cause: `the factory refused ${option} (expected ${error.accepted})`,
        fix: `correct ${option}`,
        data: { option },
      }),
    };
  }
  const who =
    config.flow === 'managed-identity'
      ? config.managedIdentityClientId
        ? `user-assigned managed identity ${config.managedIdentityClientId}`
        : 'system-assigned managed identity'
      : `app ${config.clientId}, authority ${config.authority}`;
  return {
    result: pass(
      'configuration',
      TITLE,
      `flow ${config.flow} (${who}), scope ${config.scope}, redis ${config.redisUrl.host}`,
      {
        flow: config.flow,
        clientId: config.clientId,
        managedIdentityClientId: config.managedIdentityClientId,
        authority: config.authority,
        scope: config.scope,
        redis: `${config.redisUrl.protocol}//${config.redisUrl.host}`,
      },
    ),
    config,
    provider,
  };
}

function validate(input: DoctorInput, source: InputSource): DoctorConfig {
  const name = (key: keyof DoctorInput, fallback: string): string => source[key] ?? fallback;
  const flow = inferFlow(input, name);
  const redisUrl = parseRedisUrl(input.redisUrl, name('redisUrl', '--redis-url / REDIS_URL'));
  const timeoutMs = parseTimeout(input.timeoutMs);
  const caPem =
    input.caFile === undefined ? undefined : readCaFile(input.caFile, name('caFile', '--ca-file'));
  const scope = input.scope ?? REDIS_SCOPE_DEFAULT;
  if (!/^\S+$/.test(scope)) {
    throw new BadOption(name('scope', '--scope'), 'not a scope', `use ${REDIS_SCOPE_DEFAULT}`);
  }
  const base = { flow, scope, redisUrl, caPem, timeoutMs, certificatePassword: input.certificatePassword };
  if (flow === 'managed-identity') {
    // @azure/identity's convention: AZURE_CLIENT_ID with a managed identity names a user-assigned one.
    const managedIdentityClientId = input.managedIdentityClientId ?? input.clientId;
    return {
      ...base,
      clientId: undefined,
      tenantId: undefined,
      clientSecret: undefined,
      certificatePath: undefined,
      managedIdentityClientId,
      authority: undefined,
    };
  }
  const clientId = required(
    input.clientId,
    name('clientId', '--client-id / AZURE_CLIENT_ID'),
    'the Application (client) ID of the app registration',
  );
  const authority = resolveAuthorityUrl(input, name);
  let clientSecret: string | undefined;
  let certificatePath: string | undefined;
  if (flow === 'client-secret') {
    clientSecret = required(
      input.clientSecret,
      name('clientSecret', 'AZURE_CLIENT_SECRET / --client-secret'),
      'the client secret value (App registrations › Certificates & secrets)',
    );
  } else {
    certificatePath = required(
      input.certificatePath,
      name('certificatePath', 'AZURE_CLIENT_CERTIFICATE_PATH / --certificate-path'),
      'a PEM file holding the certificate and its private key',
    );
    checkCertificateFile(certificatePath, name('certificatePath', '--certificate-path'));
  }
  return {
    ...base,
    clientId,
    tenantId: input.tenantId,
    clientSecret,
    certificatePath,
    managedIdentityClientId: undefined,
    authority,
  };
}

function inferFlow(
  input: DoctorInput,
  name: (key: keyof DoctorInput, fallback: string) => string,
): DoctorFlow {
  if (input.flow !== undefined) {
    if (!(DOCTOR_FLOWS as readonly string[]).includes(input.flow)) {
      throw new BadOption(
        name('flow', '--flow'),
        `not a flow ('${input.flow}')`,
        `use one of ${DOCTOR_FLOWS.join(', ')}`,
      );
    }
    return input.flow as DoctorFlow;
  }
  if (input.clientSecret !== undefined) return 'client-secret';
  if (input.certificatePath !== undefined) return 'client-certificate';
  return 'managed-identity';
}

function required(value: string | undefined, option: string, what: string): string {
  if (value === undefined || value.trim() === '')
    throw new BadOption(option, 'missing', `set ${option} to ${what}`);
  return value.trim();
}

function parseRedisUrl(value: string | undefined, option: string): URL {
  const example =
    'rediss://<cache>.redis.cache.windows.net:6380 (Azure Managed Redis: rediss://<name>.<region>.redis.azure.net:10000)';
  if (value === undefined) throw new BadOption(option, 'missing', `set ${option}, e.g. ${example}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadOption(option, 'not a URL', `use e.g. ${example}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new BadOption(option, `not a redis:// or rediss:// URL (${url.protocol})`, `use e.g. ${example}`);
  }
  if (url.hostname === '') throw new BadOption(option, 'without a host', `use e.g. ${example}`);
  return url;
}

function resolveAuthorityUrl(
  input: DoctorInput,
  name: (key: keyof DoctorInput, fallback: string) => string,
): string {
  if (input.authority !== undefined) {
    const option = name('authority', '--authority');
    const url = httpsUrl(input.authority, option);
    if (url.pathname.split('/').filter(Boolean).length === 0) {
      throw new BadOption(option, 'without a tenant', `use https://login.microsoftonline.com/<tenant id>`);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  const tenantId = required(
    input.tenantId,
    name('tenantId', '--tenant-id / AZURE_TENANT_ID'),
    'the Directory (tenant) ID',
  );
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) {
    throw new BadOption(
      name('tenantId', '--tenant-id'),
      'not a tenant GUID or domain',
      'use the Directory (tenant) ID of the app registration',
    );
  }
  const host =
    input.authorityHost === undefined
      ? AZURE_AUTHORITY_HOSTS.AzurePublicCloud
      : httpsUrl(input.authorityHost, name('authorityHost', '--authority-host / AZURE_AUTHORITY_HOST'))
          .origin;
  return `${host}/${tenantId}`;
}

function httpsUrl(value: string, option: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:') {
    throw new BadOption(
      option,
      'not an https:// URL',
      'MSAL accepts only https authorities, e.g. https://login.microsoftonline.com',
    );
  }
  return url;
}

function parseTimeout(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 600_000) {
    throw new BadOption(
      '--timeout-ms',
      `not a whole number of milliseconds in 1–600000 (${String(value)})`,
      'e.g. --timeout-ms 10000',
    );
  }
  return n;
}

function readCaFile(path: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BadOption(
      option,
      `not readable (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path})`,
      'point it at a PEM file with the CA certificate(s)',
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new BadOption(
      option,
      `without a PEM certificate (${path})`,
      'point it at a PEM file with the CA certificate(s)',
    );
  }
  return text;
}

function checkCertificateFile(path: string, option: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BadOption(
      option,
      `not readable (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path})`,
      'point it at the PEM file with the certificate and its private key',
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new BadOption(
      option,
      `a file without a PEM certificate (${path})`,
      'export the certificate with its private key as PEM (a .pfx must be converted: openssl pkcs12 -in cert.pfx -out cert.pem -nodes)',
    );
  }
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) {
    throw new BadOption(
      option,
      `a file without the private key (${path})`,
      'the PEM file must hold the private key too (openssl pkcs12 -in cert.pfx -out cert.pem -nodes)',
    );
  }
}

/** Builds the provider the way an application would, with one attempt per request (the doctor reports, it does not retry). */
export function createProvider(config: DoctorConfig): EntraidCredentialsProvider {
  const tokenManagerConfig: TokenManagerConfig = {
    retry: { maxAttempts: 0 },
    recovery: false,
    requestTimeoutMs: config.timeoutMs,
  };
  const msalConfig: MsalConfigOverrides | undefined = config.caPem
    ? { system: { networkClient: new HttpsNetworkClient(trustedCas(config.caPem), config.timeoutMs) } }
    : undefined;
  const common = { tokenManagerConfig, scopes: [config.scope], ...(msalConfig ? { msalConfig } : {}) };
  switch (config.flow) {
    case 'managed-identity':
      return config.managedIdentityClientId
        ? EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({
            ...common,
            userAssignedClientId: config.managedIdentityClientId,
          })
        : EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity(common);
    case 'client-secret':
      return EntraIdCredentialsProviderFactory.createForClientCredentials({
        ...common,
        clientId: config.clientId as string,
        clientSecret: config.clientSecret as string,
        authorityConfig: { type: 'custom', authorityUrl: config.authority as string },
      });
    case 'client-certificate':
      return EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
        ...common,
        clientId: config.clientId as string,
        certificate: {
          certificate: config.certificatePath as string,
          ...(config.certificatePassword ? { privateKeyPassphrase: config.certificatePassword } : {}),
        },
        authorityConfig: { type: 'custom', authorityUrl: config.authority as string },
      });
  }
}

function factoryOptionName(option: string, flow: DoctorFlow): string {
  if (option.startsWith('certificate')) return '--certificate-path / AZURE_CLIENT_CERTIFICATE_PATH';
  if (option === 'clientSecret') return 'AZURE_CLIENT_SECRET / --client-secret';
  if (option === 'clientId') return '--client-id / AZURE_CLIENT_ID';
  if (option.startsWith('authorityConfig')) return '--authority / --tenant-id / AZURE_AUTHORITY_HOST';
  if (option === 'scopes') return '--scope';
  if (flow === 'managed-identity' && option.includes('userAssigned'))
    return '--mi-client-id / AZURE_CLIENT_ID';
  return option;
}
