import { type RedisClusterGateway, startRedisClusterGateway } from '@authx/emulator';
import { Cluster } from 'ioredis';
import { createIoredisAuth, type IoredisAuth } from '../src';
import {
  createJwtSigner,
  type JwtSigner,
  JwtTokenProvider,
  TEST_GATEWAY_ACCESS,
} from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

let signer: JwtSigner;
let gateway: RedisClusterGateway;
beforeAll(async () => {
  signer = await createJwtSigner();
  gateway = await startRedisClusterGateway({ jwks: signer.jwks, ...TEST_GATEWAY_ACCESS, masters: 3 });
}, 60_000);
afterAll(async () => {
  await gateway.stop();
});

// A Cluster created without lazyConnect starts connecting (without a token) before it can be bound.
describe('IoredisAuth › a Cluster already connecting when bound', () => {
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;
  let cluster: Cluster;

  afterEach(() => {
    if (cluster.status !== 'end') cluster.disconnect();
    auth.dispose();
    provider.close();
  });

  it('ends up ready with every node on the binding token by itself, and re-authenticates on the next refresh', async () => {
    provider = new JwtTokenProvider({ signer, lifetimeMs: 60_000, refreshRatio: 0 });
    auth = createIoredisAuth(provider);
    cluster = new Cluster(
      gateway.rootNodes.map(({ url }) => {
        const { hostname, port } = new URL(url);
        return { host: hostname, port: Number(port) };
      }),
    );
    cluster.on('error', () => {});
    auth.bind(cluster);
    await waitFor(() => cluster.status === 'ready', 'cluster ready', 20_000);
    for (let i = 0; i < 30; i++) expect(await cluster.set(`eager:${i}`, String(i))).toBe('OK');
    expect(provider.subscribeCalls).toBe(1);
    const nodes = cluster.nodes('all');
    expect(nodes.length).toBeGreaterThanOrEqual(3);

    const authsBefore = gateway.authLog().filter((entry) => entry.ok).length;
    await provider.rotateNow();
    await waitFor(
      () => gateway.authLog().filter((entry) => entry.ok).length - authsBefore >= nodes.length,
      'every node re-authenticated after the refresh',
    );
    expect(await cluster.get('eager:0')).toBe('0');
    expect(gateway.authLog().every((entry) => entry.ok || entry.reason !== 'bad-signature')).toBe(true);
  });
});
