import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { type LocalAzureRedis, type RedisGateway, startEmulator } from '../../src';

const run = promisify(execFile);

describe('startEmulator › tls', () => {
  let azure: LocalAzureRedis<RedisGateway>;

  beforeAll(async () => {
    azure = await startEmulator({ tls: true });
  });

  afterAll(async () => {
    await azure.stop();
  });

  it('serves rediss:// and bundles the gateway CA with the Entra CA', () => {
    expect(azure.redisUrl).toBe(`rediss://127.0.0.1:${azure.port}`);
    expect(azure.tls).toBe(true);
    expect(azure.caPem).toContain(azure.entra.caPem.trim());
    expect(azure.caPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(readFileSync(azure.caPath, 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it.each([2, 3] as const)('serves node-redis with socket: { tls: true, ca } over RESP%i', async (RESP) => {
    const { accessToken, oid } = await azure.issueAccessToken();
    const client = createClient({
      url: azure.redisUrl,
      RESP,
      username: oid,
      password: accessToken,
      socket: { tls: true, ca: azure.caPem },
    });
    await client.connect();
    try {
      await client.set('over-tls', `resp${RESP}`);
      expect(await client.get('over-tls')).toBe(`resp${RESP}`);
    } finally {
      client.destroy();
    }
  });

  it('serves redis-cli --tls --cacert caPath', async () => {
    const { accessToken, oid } = await azure.issueAccessToken();
    const { stdout } = await run(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(azure.port), '--tls', '--cacert', azure.caPath, '--user', oid, 'PING'],
      { env: { ...process.env, REDISCLI_AUTH: accessToken } },
    );
    expect(stdout.trim()).toBe('PONG');
  });

  it('removes the CA bundle on stop()', async () => {
    const other = await startEmulator({ tls: true });
    await other.stop();
    expect(() => readFileSync(other.caPath)).toThrow(/ENOENT/);
  });
});
