import type { IssuedToken } from '../entra/entra-emulator-api';
import type { LocalAzureRedis } from './local-azure-redis-api';

/** Everything the CLI prints once the emulator runs (`--json` prints this object as is). */
export interface CliReport {
  readonly redisUrl: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly cluster: boolean;
  readonly rootNodes: ReadonlyArray<{ readonly url: string }>;
  readonly authority: string;
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The ready-made app's secret: an emulator value the user asked for, printed only on success. */
  readonly clientSecret: string;
  readonly scope: string;
  /** Redis username of the ready-made app: the `oid` of its tokens. */
  readonly username: string;
  /** A fresh token of the ready-made app, for redis-cli. */
  readonly accessToken: string;
  readonly expiresOnSec: number;
  readonly caPath: string;
  readonly managedIdentity: {
    readonly endpoint: string;
    readonly appService: Record<string, string>;
    readonly imds: Record<string, string>;
  };
  /** `redis-cli` arguments that connect with {@link accessToken}. */
  readonly redisCli: readonly string[];
  /** `authx-emulator token …` arguments that print a fresh token. */
  readonly tokenCommand: readonly string[];
  /** Process ids: this CLI and the redis-server processes it started. */
  readonly pid: number;
  readonly redisServerPids: readonly number[];
}

export function buildCliReport(azure: LocalAzureRedis, token: IssuedToken): CliReport {
  return {
    redisUrl: azure.redisUrl,
    host: azure.host,
    port: azure.port,
    tls: azure.tls,
    cluster: azure.cluster,
    rootNodes: azure.rootNodes,
    authority: azure.authority,
    authorityHost: azure.authorityHost,
    tenantId: azure.tenantId,
    clientId: azure.clientId,
    clientSecret: azure.clientSecret,
    scope: azure.scope,
    username: token.oid,
    accessToken: token.accessToken,
    expiresOnSec: token.expiresOnSec,
    caPath: azure.caPath,
    managedIdentity: {
      endpoint: azure.managedIdentityEndpoint,
      appService: azure.managedIdentityEnv('app-service'),
      imds: azure.managedIdentityEnv('imds'),
    },
    redisCli: [
      'redis-cli',
      '-h',
      azure.host,
      '-p',
      String(azure.port),
      ...(azure.tls ? ['--tls', '--cacert', azure.caPath] : []),
      ...(azure.cluster ? ['-c'] : []),
      '--user',
      token.oid,
      '--pass',
      token.accessToken,
      '--no-auth-warning',
    ],
    tokenCommand: ['authx-emulator', 'token', '--authority', azure.authority, '--ca', azure.caPath],
    pid: process.pid,
    redisServerPids: azure.redisServers.map((server) => server.pid),
  };
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

const line = (args: readonly string[]) => args.map(shellQuote).join(' ');
const exportLines = (env: Record<string, string>) =>
  Object.entries(env).map(([name, value]) => `  export ${name}=${shellQuote(value)}`);

/** The text the CLI prints. */
export function formatCliReport(report: CliReport): string {
  const expiresAt = new Date(report.expiresOnSec * 1000).toISOString();
  return [
    'Local Azure Cache for Redis with Entra ID is running. Ctrl-C stops it.',
    '',
    'Redis (token-checking gateway)',
    `  URL            ${report.redisUrl}`,
    ...(report.cluster ? [`  cluster nodes  ${report.rootNodes.map((node) => node.url).join(' ')}`] : []),
    `  username       ${report.username}   (the oid claim of the app's tokens)`,
    '',
    'Entra ID',
    `  authority      ${report.authority}`,
    `  authority host ${report.authorityHost}`,
    `  tenant id      ${report.tenantId}`,
    `  client id      ${report.clientId}`,
    `  client secret  ${report.clientSecret}`,
    `  scope          ${report.scope}`,
    `  CA file        ${report.caPath}`,
    `  trust it       export NODE_EXTRA_CA_CERTS=${shellQuote(report.caPath)}   (replaces any value already set)`,
    '',
    'Managed identity, App Service style',
    ...exportLines(report.managedIdentity.appService),
    'Managed identity, IMDS style',
    ...exportLines(report.managedIdentity.imds),
    '',
    `Try it (token valid until ${expiresAt}):`,
    `  ${line([...report.redisCli, 'PING'])}`,
    'A fresh token (another terminal):',
    `  ${line(report.tokenCommand)}`,
    '',
  ].join('\n');
}
