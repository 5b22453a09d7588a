import { createClient } from 'redis';
import type { CloudStartReport } from '../../src/local/cloud-start';
import { parseCliArgs } from '../../src/local/cli-args';
import { CliProcess } from './support/cli-process';

describe('authx-emulator --profile (other clouds)', () => {
  let cli: CliProcess | undefined;
  afterEach(async () => {
    await cli?.kill();
    cli = undefined;
  });

  async function startJson(args: string[]): Promise<CloudStartReport> {
    cli = CliProcess.start(['--json', ...args]);
    const stdout = await cli.waitForOutput((text) => text.includes('\n'));
    return JSON.parse(stdout) as CloudStartReport;
  }

  it('elasticache: a cache that wants IAM tokens, and the container credentials endpoint the AWS SDK reads', async () => {
    const report = await startJson([
      '--profile',
      'elasticache',
      '--cache-name',
      'sessions',
      '--region',
      'eu-west-2',
    ]);
    expect(report).toMatchObject({ profile: 'elasticache', cacheName: 'sessions', region: 'eu-west-2' });
    expect(report.env).toMatchObject({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      AWS_CONTAINER_AUTHORIZATION_TOKEN: expect.any(String),
      AWS_REGION: 'eu-west-2',
    });
    const response = await fetch(report.env.AWS_CONTAINER_CREDENTIALS_FULL_URI as string, {
      headers: { Authorization: report.env.AWS_CONTAINER_AUTHORIZATION_TOKEN as string },
    });
    expect(await response.json()).toMatchObject({
      AccessKeyId: expect.any(String),
      Token: expect.any(String),
    });
    // Without a signed token the cache refuses.
    const client = createClient({
      url: report.redisUrl,
      username: 'app-user',
      password: 'not-a-token',
      socket: { reconnectStrategy: false },
    });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow(/WRONGPASS/);
    client.destroy();
  });

  it('memorystore: the metadata server’s access token opens the cache', async () => {
    const report = await startJson(['--profile', 'memorystore']);
    expect(report.env.GCE_METADATA_HOST).toMatch(/^127\.0\.0\.1:\d+$/);
    const response = await fetch(
      `http://${report.env.GCE_METADATA_HOST}/computeMetadata/v1/instance/service-accounts/default/token`,
      { headers: { 'Metadata-Flavor': 'Google' } },
    );
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    const client = createClient({ url: report.redisUrl, password: accessToken });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    await client.close();
  });

  it('prints the URL and export lines as text, and exits 0 on SIGTERM', async () => {
    cli = CliProcess.start(['--profile', 'memorydb']);
    const stdout = await cli.waitForOutput((text) => text.includes('AWS_REGION'));
    expect(stdout).toMatch(/URL +redis:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/cluster +orders/);
    expect(stdout).toMatch(/export AWS_CONTAINER_CREDENTIALS_FULL_URI=http/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('memorystore: --max-new-connections-per-second sets the connection-rate limit', () => {
    expect(
      parseCliArgs(['--profile', 'memorystore', '--max-new-connections-per-second', '50']),
    ).toMatchObject({
      command: 'cloud',
      options: { profile: 'memorystore', maxNewConnectionsPerSecond: 50 },
    });
  });

  it.each([
    [['--profile', 'gcp'], /--profile must be one of azure, elasticache, memorydb, memorystore/],
    [['--profile', 'elasticache', '--tls'], /--tls applies to --profile azure only/],
    [['--profile', 'memorystore', '--region', 'us-east-1'], /--cache-name and --region apply to/],
    [['--profile', 'elasticache', '--cache-name', 'Orders'], /--cache-name must be a lower-case cache name/],
    [['--profile', 'memorydb', '--region', 'mars'], /--region must be an AWS region/],
    [['--region', 'us-east-1'], /--cache-name and --region apply to/],
    [
      ['--profile', 'elasticache', '--max-new-connections-per-second', '5'],
      /applies to --profile memorystore only/,
    ],
    [['--max-new-connections-per-second', '5'], /applies to --profile memorystore only/],
    [['--profile', 'memorystore', '--max-new-connections-per-second', '0'], /must be an integer from 1/],
  ])('refuses %p with a message naming the flag', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});
