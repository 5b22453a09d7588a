import { AwsCredentialStore } from '../aws/aws-credential-store';
import { startAwsContainerCredentialsEndpoint } from '../aws/container-credentials-endpoint';
import { startGoogleMetadataServer } from '../gcp/google-metadata-server';
import { startServiceGateway } from '../service-gateway';

/** The gateway profiles the CLI starts besides Azure's. */
export type CloudProfile = 'elasticache' | 'memorydb' | 'memorystore';

/** What `authx-emulator --profile <cloud>` sets up. */
export interface CloudStartOptions {
  readonly profile: CloudProfile;
  /** Gateway port; default a free port. */
  readonly port?: number;
  /** ElastiCache cache name / MemoryDB cluster name (lower case); default `orders`. */
  readonly cacheName?: string;
  /** AWS region; default `us-east-1`. */
  readonly region?: string;
  /** memorystore: new connections accepted per second at most (see `startServiceGateway`); default no limit. */
  readonly maxNewConnectionsPerSecond?: number;
}

/** What a client needs to reach a started cloud profile (no secret: the credentials come from the endpoint). */
export interface CloudStartReport {
  readonly profile: CloudProfile;
  readonly redisUrl: string;
  readonly port: number;
  /** ElastiCache / MemoryDB: the cache (cluster) name and region the tokens must name. */
  readonly cacheName?: string;
  readonly region?: string;
  /** The environment the cloud's SDK reads: the container credentials endpoint, or the metadata server. */
  readonly env: Readonly<Record<string, string>>;
}

export interface StartedCloud {
  readonly report: CloudStartReport;
  stop(): Promise<void>;
}

/**
 * Starts a cloud profile for the CLI: AWS — an IAM key store, a container credentials endpoint
 * handing out rotating role credentials, and an ElastiCache / MemoryDB gateway that verifies each
 * IAM token; Google — a metadata server and a Memorystore gateway that accepts its tokens.
 */
export async function startCloudProfile(options: CloudStartOptions): Promise<StartedCloud> {
  if (options.profile === 'memorystore') {
    const metadata = await startGoogleMetadataServer();
    try {
      const gateway = await startServiceGateway({
        profile: 'memorystore',
        tokens: metadata,
        port: options.port,
        maxNewConnectionsPerSecond: options.maxNewConnectionsPerSecond,
      });
      return {
        report: {
          profile: 'memorystore',
          redisUrl: gateway.url,
          port: gateway.port,
          env: { ...metadata.env },
        },
        stop: async () => {
          await gateway.stop();
          await metadata.stop();
        },
      };
    } catch (error) {
      await metadata.stop();
      throw error;
    }
  }
  const store = new AwsCredentialStore();
  const endpoint = await startAwsContainerCredentialsEndpoint({ store });
  const cacheName = options.cacheName ?? 'orders';
  const region = options.region ?? 'us-east-1';
  try {
    const gateway =
      options.profile === 'elasticache'
        ? await startServiceGateway({
            profile: 'elasticache',
            cacheName,
            region,
            credentials: store,
            port: options.port,
          })
        : await startServiceGateway({
            profile: 'memorydb',
            clusterName: cacheName,
            region,
            credentials: store,
            port: options.port,
          });
    return {
      report: {
        profile: options.profile,
        redisUrl: gateway.url,
        port: gateway.port,
        cacheName,
        region,
        env: { ...endpoint.env, AWS_REGION: region },
      },
      stop: async () => {
        await gateway.stop();
        await endpoint.stop();
      },
    };
  } catch (error) {
    await endpoint.stop();
    throw error;
  }
}

/** The report as text: the URL, the names, and `export` lines for the environment. */
export function formatCloudReport(report: CloudStartReport): string {
  const lines = [`authx-emulator: ${report.profile} profile`, `  URL        ${report.redisUrl}`];
  if (report.cacheName !== undefined) {
    lines.push(
      `  ${report.profile === 'memorydb' ? 'cluster   ' : 'cache     '} ${report.cacheName}`,
      `  region     ${report.region}`,
      '  user       any IAM user id: AUTH <user id> <token signed for it>',
    );
  } else {
    lines.push('  user       default (AUTH <access token>)');
  }
  lines.push(
    '',
    'Environment for the SDK:',
    ...Object.entries(report.env).map(([k, v]) => `  export ${k}=${v}`),
  );
  return `${lines.join('\n')}\n`;
}
