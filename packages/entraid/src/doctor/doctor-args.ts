import type { DoctorInput, InputSource } from './types';

/** Usage text of `authx-doctor`. */
export const DOCTOR_USAGE = `Usage: authx-doctor [options]

Checks, step by step, that this machine can authenticate to Azure Cache for Redis / Azure Managed
Redis with Microsoft Entra ID: configuration, token, clock, network, AUTH, PING and refresh plan.
Exit code 0 only when every step passes.

  --flow NAME               client-secret | client-certificate | managed-identity
                            (default: inferred from what is given)
  --client-id ID            app registration (client) id              [AZURE_CLIENT_ID]
  --tenant-id ID            tenant id                                 [AZURE_TENANT_ID]
  --client-secret SECRET    client secret (prefer the env variable)   [AZURE_CLIENT_SECRET]
  --certificate-path FILE   PEM with certificate and private key      [AZURE_CLIENT_CERTIFICATE_PATH]
  --certificate-password P  passphrase of the private key             [AZURE_CLIENT_CERTIFICATE_PASSWORD]
  --mi-client-id ID         user-assigned managed identity client id  [AZURE_CLIENT_ID with managed-identity]
  --authority URL           full authority URL (https://login.microsoftonline.com/<tenant>)
  --authority-host URL      login host; the tenant is appended        [AZURE_AUTHORITY_HOST]
  --scope SCOPE             default https://redis.azure.com/.default  [AZURE_REDIS_SCOPE]
  --redis-url URL           rediss://<host>:<port>                    [REDIS_URL]
  --ca-file FILE            extra CA certificate(s) to trust (PEM)    [AUTHX_CA_FILE]
  --timeout-ms MS           bound of each network step (default 10000)
  --json                    print one JSON object instead of lines
  -h, --help                this text

Output never contains a token or a secret.`;

/** Result of {@link parseDoctorArgs}. */
export type ParsedDoctorArgs =
  | { kind: 'run'; input: DoctorInput; source: InputSource; json: boolean }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

const VALUE_FLAGS: Record<string, keyof DoctorInput> = {
  '--flow': 'flow',
  '--client-id': 'clientId',
  '--tenant-id': 'tenantId',
  '--client-secret': 'clientSecret',
  '--certificate-path': 'certificatePath',
  '--certificate-password': 'certificatePassword',
  '--mi-client-id': 'managedIdentityClientId',
  '--authority': 'authority',
  '--authority-host': 'authorityHost',
  '--scope': 'scope',
  '--redis-url': 'redisUrl',
  '--ca-file': 'caFile',
  '--timeout-ms': 'timeoutMs',
};

const ENV_VARS: Partial<Record<keyof DoctorInput, string>> = {
  clientId: 'AZURE_CLIENT_ID',
  tenantId: 'AZURE_TENANT_ID',
  clientSecret: 'AZURE_CLIENT_SECRET',
  certificatePath: 'AZURE_CLIENT_CERTIFICATE_PATH',
  certificatePassword: 'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  authorityHost: 'AZURE_AUTHORITY_HOST',
  scope: 'AZURE_REDIS_SCOPE',
  redisUrl: 'REDIS_URL',
  caFile: 'AUTHX_CA_FILE',
};

/**
 * Reads flags (`--name value` or `--name=value`), then fills what is missing from the environment.
 * Records where each value came from so that the configuration step can name the one to fix.
 */
export function parseDoctorArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedDoctorArgs {
  const input: DoctorInput = {};
  const source: InputSource = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--json') {
      json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_FLAGS[flag];
    if (key === undefined) return { kind: 'error', message: `unknown option ${flag} (see --help)` };
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      return { kind: 'error', message: `${flag} needs a value` };
    }
    input[key] = value;
    source[key] = flag;
  }
  for (const [key, name] of Object.entries(ENV_VARS) as [keyof DoctorInput, string][]) {
    const value = env[name];
    if (input[key] === undefined && value !== undefined && value !== '') {
      // With managed identity AZURE_CLIENT_ID names a user-assigned identity (as @azure/identity reads it).
      input[key] = value;
      source[key] = name;
    }
  }
  return { kind: 'run', input, source, json };
}
