import { createServer, type Server } from 'node:net';
import {
  findFreePort,
  LocalAzureRedisError,
  LocalAzureRedisErrorCode,
  type LocalAzureRedisOptions,
  startEmulator,
} from '../../src';
import { isPortTaken } from '../../src/local/port-check';

async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('startEmulator › options', () => {
  it.each<[string, LocalAzureRedisOptions, string]>([
    ['port', { port: -1 }, 'an integer 0–65535'],
    ['entraPort', { entraPort: 1.5 }, 'an integer 0–65535'],
    ['managedIdentityPort', { managedIdentityPort: 70000 }, 'an integer 0–65535'],
    ['redisPort', { redisPort: Number.NaN }, 'an integer 0–65535'],
    ['tokenLifetimeSec', { tokenLifetimeSec: 0 }, 'seconds > 0'],
    ['graceMs', { graceMs: -5 }, 'milliseconds >= 0'],
    ['tls', { tls: 'yes' as unknown as boolean }, 'true or false'],
    ['cluster', { cluster: { masters: 0 } }, '{ masters: an integer 1–16 }'],
    ['redisPort', { cluster: true, redisPort: 7000 }, 'unset with `cluster`'],
    ['port', { cluster: true, port: 7000 }, 'unset with `cluster`'],
    ['entra', { entra: null as unknown as object }, 'an object'],
    ['gateway', { gateway: 'open' as unknown as object }, 'an object'],
    ['gateway.tenants', { gateway: { tenants: [] } }, "or 'any'"],
    ['gateway.defaultAccessPolicy', { gateway: { defaultAccessPolicy: 'Owner' } }, 'Data Owner'],
  ])('rejects an invalid %s, naming it and what it accepts', async (option, options, accepted) => {
    const error = await startEmulator(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LocalAzureRedisError);
    expect(error).toMatchObject({ code: LocalAzureRedisErrorCode.INVALID_OPTION, option });
    expect((error as Error).message).toContain(`"${option}"`);
    expect((error as Error).message).toContain(accepted);
  });
});

describe('startEmulator › start failures', () => {
  it.each(['port', 'entraPort', 'managedIdentityPort', 'redisPort'] as const)(
    'names the option and the port when %s is taken, and leaves nothing running',
    async (option) => {
      const { server, port } = await occupyPort();
      const others = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
      const ports = (['port', 'entraPort', 'managedIdentityPort', 'redisPort'] as const).filter(
        (name) => name !== option,
      );
      const options: LocalAzureRedisOptions = { [option]: port };
      ports.forEach((name, index) => {
        options[name] = others[index];
      });
      try {
        const error = await startEmulator(options).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: LocalAzureRedisErrorCode.PORT_IN_USE, option, port });
        expect((error as Error).message).toBe(`port ${port} (option "${option}") is already in use`);
        expect((error as Error).cause).toBeDefined();
        for (const other of others) expect(await isPortTaken(other)).toBe(false);
      } finally {
        server.close();
      }
    },
  );

  it('reports a missing redis-server with how to install it, and stops the Entra emulator', async () => {
    const saved = process.env.REDIS_SERVER_BIN;
    process.env.REDIS_SERVER_BIN = '/nonexistent/redis-server';
    const entraPort = await findFreePort();
    try {
      const error = await startEmulator({ entraPort }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: LocalAzureRedisErrorCode.REDIS_SERVER_MISSING });
      expect((error as Error).message).toMatch(
        /redis-server was not found.*apt-get install redis-server.*REDIS_SERVER_BIN/,
      );
      expect(await isPortTaken(entraPort)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.REDIS_SERVER_BIN;
      else process.env.REDIS_SERVER_BIN = saved;
    }
  });

  it('applies tokenLifetimeSec to the tokens the emulator issues', async () => {
    const azure = await startEmulator({ tokenLifetimeSec: 2 });
    try {
      const app = await azure.issueAccessToken();
      const now = Math.floor(Date.now() / 1000);
      expect(app.expiresOnSec - now).toBeGreaterThanOrEqual(1);
      expect(app.expiresOnSec - now).toBeLessThanOrEqual(3);
    } finally {
      await azure.stop();
    }
  });

  it('makes the first of custom entra.apps the ready-made app, with its first secret', async () => {
    const azure = await startEmulator({
      entra: {
        apps: [
          { clientId: 'my-app', secrets: ['my-secret'] },
          { clientId: 'public-app', publicClient: true },
        ],
      },
    });
    try {
      expect(azure.clientId).toBe('my-app');
      expect(azure.clientSecret).toBe('my-secret');
      expect(azure.msalConfig().auth).toMatchObject({ clientId: 'my-app', clientSecret: 'my-secret' });
    } finally {
      await azure.stop();
    }
  });
});
