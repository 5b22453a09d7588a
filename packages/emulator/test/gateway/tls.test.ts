import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { type RedisGateway, type RedisServer, startRedisGateway } from '../../src';
import { startBackend } from './support/fixtures';
import { selfSignedCertificate } from './support/self-signed';
import { OPEN_ACCESS, TokenFactory } from './support/token-factory';

describe('startRedisGateway › TLS and remote JWKS', () => {
  let tokens: TokenFactory;
  let server: RedisServer;
  let gateway: RedisGateway;
  let jwksServer: Server;
  let certPem: string;
  let jwksRequests = 0;

  beforeAll(async () => {
    tokens = await TokenFactory.create();
    const certificate = await selfSignedCertificate();
    certPem = certificate.certPem;
    // The keys are fetched over https from a server whose certificate only `jwksCaPem` trusts.
    jwksServer = createServer(
      { cert: certificate.certPem, key: certificate.keyPem },
      (_request, response) => {
        jwksRequests++;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(tokens.jwks));
      },
    );
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    server = await startBackend();
    gateway = await startRedisGateway({
      jwks: `https://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/discovery/v2.0/keys`,
      jwksCaPem: certificate.certPem,
      ...OPEN_ACCESS,
      tls: certificate,
      backend: { host: server.host, port: server.port },
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await server.stop();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it('serves rediss:// to node-redis with socket: { tls: true, ca } and checks tokens against an https JWKS', async () => {
    expect(gateway.url).toBe(`rediss://127.0.0.1:${gateway.port}`);
    const { token, oid } = await tokens.mint();
    for (const RESP of [2, 3] as const) {
      const client = createClient({
        url: gateway.url,
        RESP,
        username: oid,
        password: token,
        socket: { tls: true, ca: certPem },
      });
      await client.connect();
      await client.set('over-tls', 'yes');
      expect(await client.get('over-tls')).toBe('yes');
      client.destroy();
    }
    expect(jwksRequests).toBe(1);
  });

  it('refuses a client that does not trust the certificate, and keeps serving others', async () => {
    const untrusting = createClient({ url: gateway.url, socket: { tls: true, reconnectStrategy: false } });
    untrusting.on('error', () => undefined);
    await expect(untrusting.connect()).rejects.toThrow(/self.signed|certificate/i);
    const { token, oid } = await tokens.mint();
    const client = createClient({
      url: gateway.url,
      username: oid,
      password: token,
      socket: { tls: true, ca: certPem },
    });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    client.destroy();
  });
});
