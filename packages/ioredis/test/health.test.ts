import Redis from 'ioredis';
import { createIoredisAuth } from '../src';
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

describe('IoredisAuth › health() for readiness probes', () => {
  it('goes from idle to ready with every open connection authenticated, and holds no credentials', async () => {
    const provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    const auth = createIoredisAuth(provider);
    const redis = auth.bind(new Redis({ host: '127.0.0.1', port: gw.gateway.port, lazyConnect: true }));
    redis.on('error', () => {});
    try {
      expect(auth.health()).toMatchObject({
        ready: false,
        binding: 'idle',
        connections: { total: 0, open: 0, authenticated: 0 },
      });
      await redis.connect();
      const duplicate = redis.duplicate();
      await duplicate.connect();
      await waitFor(() => auth.health().ready, 'ready');
      const health = auth.health();
      expect(health).toMatchObject({
        ready: true,
        binding: 'valid',
        credentials: { state: 'valid', usable: true, source: 'binding' },
        connections: { total: 2, open: 2, authenticated: 2 },
      });
      expect(JSON.stringify(health)).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
      duplicate.disconnect();
      await waitFor(() => auth.health().connections.open === 1, 'duplicate closed');
      expect(auth.health().ready).toBe(true);
    } finally {
      redis.disconnect();
      auth.dispose();
      provider.close();
    }
  });
});
