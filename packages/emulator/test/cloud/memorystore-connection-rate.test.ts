import {
  GatewayOptionError,
  type GoogleMetadataServer,
  type RedisGateway,
  startGoogleMetadataServer,
  startServiceGateway,
} from '../../src';
import { RawClient } from '../gateway/support/raw-client';

const NOAUTH = '-NOAUTH Authentication required.\r\n';

describe("profile 'memorystore': maxNewConnectionsPerSecond", () => {
  let metadata: GoogleMetadataServer;
  let gateway: RedisGateway | undefined;
  beforeAll(async () => {
    metadata = await startGoogleMetadataServer();
  });
  afterEach(() => gateway?.stop());
  afterAll(() => metadata.stop());

  it('refuses the connections beyond the limit with an error reply and closes them; the admitted ones work', async () => {
    let now = 1_000_000;
    const clock = {
      now: () => now,
      setTimeout: (callback: () => void, delayMs: number) => setTimeout(callback, delayMs),
      clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
    };
    gateway = await startServiceGateway({
      profile: 'memorystore',
      tokens: metadata,
      maxNewConnectionsPerSecond: 3,
      clock,
    });
    const refusedEvents: number[] = [];
    gateway.on('connectionRateLimited', ({ atMs }) => refusedEvents.push(atMs));
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await RawClient.open(gateway.port));
    for (const client of clients) client.command('PING');
    const replies = await Promise.all(clients.map((client) => client.read(1)));
    // The admitted ones reach the server (which wants an AUTH first).
    expect(replies.map(([reply]) => reply)).toEqual([
      NOAUTH,
      NOAUTH,
      NOAUTH,
      '-ERR max new connections per second reached, try again later\r\n',
      '-ERR max new connections per second reached, try again later\r\n',
    ]);
    await Promise.all(clients.slice(3).map((client) => client.closed));
    expect(clients.slice(0, 3).every((client) => client.closedAtMs === undefined)).toBe(true);
    expect(gateway.stats()).toMatchObject({
      connectionsAccepted: 3,
      connectionsRateLimited: 2,
      connectionsOpen: 3,
    });
    expect(refusedEvents).toEqual([now, now]);
    // A second later (by the gateway's clock) there is room again.
    now += 1000;
    const later = await RawClient.open(gateway.port);
    later.command('PING');
    expect(await later.read(1)).toEqual([NOAUTH]);
    expect(gateway.stats()).toMatchObject({ connectionsAccepted: 4, connectionsRateLimited: 2 });
    for (const client of [...clients, later]) client.destroy();
  });

  it('has no limit by default', async () => {
    gateway = await startServiceGateway({ profile: 'memorystore', tokens: metadata });
    const clients = await Promise.all(Array.from({ length: 50 }, () => RawClient.open(gateway!.port)));
    for (const client of clients) client.command('PING');
    const replies = await Promise.all(clients.map((client) => client.read(1)));
    expect(new Set(replies.map(([reply]) => reply))).toEqual(new Set([NOAUTH]));
    expect(gateway.stats().connectionsRateLimited).toBe(0);
    for (const client of clients) client.destroy();
  });

  it.each([0, -1, 1.5, Number.NaN, '10'])(
    'refuses maxNewConnectionsPerSecond = %p at construction, naming the option',
    async (value) => {
      await expect(
        startServiceGateway({
          profile: 'memorystore',
          tokens: metadata,
          maxNewConnectionsPerSecond: value as number,
        }),
      ).rejects.toThrow(GatewayOptionError);
      await expect(
        startServiceGateway({
          profile: 'memorystore',
          tokens: metadata,
          maxNewConnectionsPerSecond: value as number,
        }),
      ).rejects.toThrow(/maxNewConnectionsPerSecond/);
    },
  );
});
