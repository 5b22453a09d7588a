import { parseArgs } from 'node:util';
import type { CloudStartOptions } from './cloud-start';
import type { LocalAzureRedisOptions } from './options';

/** A command line the CLI cannot run; the message names the flag and what it accepts. */
export class CliUsageError extends Error {
  readonly code = 'CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** `authx-emulator [flags]`: start everything and keep running. */
export interface StartCommand {
  readonly command: 'start';
  readonly options: LocalAzureRedisOptions;
  /** Print one JSON object instead of text. */
  readonly json: boolean;
}

/** `authx-emulator token --authority URL --ca FILE`: get a token from a running emulator. */
export interface TokenCommand {
  readonly command: 'token';
  /** `https://127.0.0.1:PORT/TENANT`, as the running emulator printed it. */
  readonly authority: string;
  /** The CA file the running emulator printed. */
  readonly caPath: string;
  /** Default: the emulator's ready-made app. */
  readonly clientId: string | undefined;
  /** Default: the ready-made app's secret. */
  readonly clientSecret: string | undefined;
  /** Default `https://redis.azure.com/.default`. */
  readonly scope: string | undefined;
  readonly json: boolean;
}

export interface HelpCommand {
  readonly command: 'help';
}

/** `authx-emulator --profile elasticache|memorydb|memorystore`: another cloud's cache instead of Azure's. */
export interface CloudCommand {
  readonly command: 'cloud';
  readonly options: CloudStartOptions;
  readonly json: boolean;
}

export type CliCommand = StartCommand | TokenCommand | HelpCommand | CloudCommand;

const PROFILES = ['azure', 'elasticache', 'memorydb', 'memorystore'] as const;
/** Flags only the Azure profile takes. */
const AZURE_ONLY_FLAGS = [
  'entra-port',
  'mi-port',
  'redis-port',
  'token-lifetime',
  'grace',
  'tls',
  'cluster',
] as const;

/** CLI flag of each `startEmulator` option, for messages. */
export const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  port: '--port',
  entraPort: '--entra-port',
  managedIdentityPort: '--mi-port',
  redisPort: '--redis-port',
  tokenLifetimeSec: '--token-lifetime',
  graceMs: '--grace',
  tls: '--tls',
  cluster: '--cluster',
};

export const USAGE = `Usage: authx-emulator [options]
       authx-emulator token --authority URL --ca FILE [--client-id ID] [--client-secret SECRET] [--scope SCOPE] [--json]

Starts a local "Azure Cache for Redis with Entra ID": an Entra ID emulator (HTTPS authority, managed
identity endpoints), redis-server, and a gateway in front of it that accepts only the emulator's
tokens (AUTH <oid> <token>). Prints what a client needs and runs until Ctrl-C / SIGTERM.

Options:
  --port N            gateway port clients connect to (default: a free port)
  --entra-port N      HTTPS port of the Entra ID authority (default: a free port)
  --mi-port N         HTTP port of the managed identity endpoints (default: a free port)
  --redis-port N      port of the redis-server behind the gateway (default: a free port)
  --token-lifetime S  access token lifetime in seconds (default: 3600)
  --grace MS          how long a connection may outlive its token, in milliseconds (default: 0)
  --tls               serve the gateway over TLS (rediss://); trust the printed CA file
  --cluster           run a 3-master Redis Cluster, one gateway per node
  --profile P         azure (default), elasticache, memorydb or memorystore: another cloud's cache —
                      AWS: IAM tokens verified against rotating role credentials from a container
                      credentials endpoint; Google: access tokens from a metadata server. Prints the
                      URL and the environment the cloud's SDK reads. With --port and --json only.
  --cache-name NAME   elasticache / memorydb: the cache (cluster) name tokens must name (default orders)
  --region R          elasticache / memorydb: the region tokens must name (default us-east-1)
  --max-new-connections-per-second N
                      memorystore: refuse new connections beyond N per second, as Memorystore's
                      IAM connection-rate limit does (default: no limit)
  --json              print one JSON object (machine-readable) instead of text
  -h, --help          show this help

token: gets a fresh access token from a running emulator (client credentials of the ready-made app
unless --client-id/--client-secret) and prints it, e.g.
  redis-cli -p PORT --user OID --pass "$(authx-emulator token --authority URL --ca FILE)"

Environment: REDIS_SERVER_BIN  path of redis-server (default: redis-server from PATH)`;

function portFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new CliUsageError(`${flag} must be a port number 0–65535 (0 = a free port), got "${value}"`);
  }
  return port;
}

function numberFlag(
  flag: string,
  value: string | undefined,
  accepted: string,
  min: number,
  minIncluded: boolean,
) {
  if (value === undefined) return undefined;
  const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(minIncluded ? number >= min : number > min)) {
    throw new CliUsageError(`${flag} must be ${accepted}, got "${value}"`);
  }
  return number;
}

/** parseArgs' own errors (unknown flag, missing value) as usage errors. */
function asUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/** Reads the command line (without `node` and the script). */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const args = [...argv];
  if (args[0] === 'token') return parseTokenArgs(args.slice(1));
  const { values } = asUsageError(() =>
    parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        'entra-port': { type: 'string' },
        'mi-port': { type: 'string' },
        'redis-port': { type: 'string' },
        'token-lifetime': { type: 'string' },
        grace: { type: 'string' },
        tls: { type: 'boolean' },
        cluster: { type: 'boolean' },
        profile: { type: 'string' },
        'cache-name': { type: 'string' },
        region: { type: 'string' },
        'max-new-connections-per-second': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return { command: 'help' };
  const profile = values.profile ?? 'azure';
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new CliUsageError(`--profile must be one of ${PROFILES.join(', ')}, got "${profile}"`);
  }
  if (profile !== 'azure') {
    const azureOnly = AZURE_ONLY_FLAGS.find((flag) => values[flag] !== undefined);
    if (azureOnly) throw new CliUsageError(`--${azureOnly} applies to --profile azure only, not ${profile}`);
    if (profile === 'memorystore' && (values['cache-name'] !== undefined || values.region !== undefined)) {
      throw new CliUsageError('--cache-name and --region apply to --profile elasticache and memorydb only');
    }
    const rateFlag = values['max-new-connections-per-second'];
    if (rateFlag !== undefined && profile !== 'memorystore') {
      throw new CliUsageError('--max-new-connections-per-second applies to --profile memorystore only');
    }
    if (rateFlag !== undefined && !/^[1-9]\d{0,5}$/.test(rateFlag)) {
      throw new CliUsageError(
        `--max-new-connections-per-second must be an integer from 1 to 999999, got "${rateFlag}"`,
      );
    }
    const cacheName = values['cache-name'];
    if (cacheName !== undefined && !/^[a-z][a-z0-9-]{0,39}$/.test(cacheName)) {
      throw new CliUsageError(
        `--cache-name must be a lower-case cache name (a-z, 0-9, -), got "${cacheName}"`,
      );
    }
    const region = values.region;
    if (region !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region)) {
      throw new CliUsageError(`--region must be an AWS region such as us-east-1, got "${region}"`);
    }
    const cloud: CloudStartOptions = {
      profile: profile as CloudStartOptions['profile'],
      ...(values.port === undefined ? {} : { port: portFlag('--port', values.port) }),
      ...(cacheName === undefined ? {} : { cacheName }),
      ...(region === undefined ? {} : { region }),
      ...(rateFlag === undefined ? {} : { maxNewConnectionsPerSecond: Number(rateFlag) }),
    };
    return { command: 'cloud', options: cloud, json: values.json === true };
  }
  if (values['cache-name'] !== undefined || values.region !== undefined) {
    throw new CliUsageError('--cache-name and --region apply to --profile elasticache and memorydb only');
  }
  if (values['max-new-connections-per-second'] !== undefined) {
    throw new CliUsageError('--max-new-connections-per-second applies to --profile memorystore only');
  }
  const options: LocalAzureRedisOptions = {
    port: portFlag('--port', values.port),
    entraPort: portFlag('--entra-port', values['entra-port']),
    managedIdentityPort: portFlag('--mi-port', values['mi-port']),
    redisPort: portFlag('--redis-port', values['redis-port']),
    tokenLifetimeSec: numberFlag(
      '--token-lifetime',
      values['token-lifetime'],
      'a number of seconds > 0',
      0,
      false,
    ),
    graceMs: numberFlag('--grace', values.grace, 'a number of milliseconds >= 0', 0, true),
    tls: values.tls === true,
    cluster: values.cluster === true,
  };
  if (options.cluster && (options.port || options.redisPort)) {
    throw new CliUsageError(
      '--port and --redis-port cannot be used with --cluster (every node takes a free port)',
    );
  }
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as LocalAzureRedisOptions;
  return { command: 'start', options: defined, json: values.json === true };
}

function parseTokenArgs(args: string[]): TokenCommand | HelpCommand {
  const { values } = asUsageError(() =>
    parseArgs({
      args,
      strict: true,
      options: {
        authority: { type: 'string' },
        ca: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        scope: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return { command: 'help' };
  const authority = values.authority;
  if (!authority || !/^https:\/\/[^/]+\/[^/]+\/?$/.test(authority)) {
    throw new CliUsageError(
      'token needs --authority https://HOST:PORT/TENANT (as printed by the running emulator)',
    );
  }
  const caPath = values.ca;
  if (!caPath) throw new CliUsageError('token needs --ca FILE (the CA file printed by the running emulator)');
  return {
    command: 'token',
    authority: authority.replace(/\/$/, ''),
    caPath,
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    scope: values.scope,
    json: values.json === true,
  };
}
