import Redis from 'ioredis';
import { bindCredentials, type IoredisAuth } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe.each([2, 3] as const)(
  'bindCredentials › a client already connecting when bound (RESP%i)',
  (protocol) => {
    let provider: JwtTokenProvider;
    let auth: IoredisAuth;
    let redis: Redis;
    afterEach(() => {
      if (redis.status !== 'end') redis.disconnect();
      auth.dispose();
      provider.close();
    });

    it('ends up authenticated with the binding token by itself', async () => {
      provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
      redis = new Redis(gw.url, { protocol });
      redis.on('error', () => {});
      auth = bindCredentials(redis, provider);
      await waitFor(() => redis.status === 'ready', 'ready');
      expect(await redis.set('eager', '1')).toBe('OK');
      expect(provider.subscribeCalls).toBe(1);
    });
  },
);
