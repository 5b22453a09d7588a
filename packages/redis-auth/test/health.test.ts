import { type LocalAzureRedis, startEmulator } from '@authx/emulator';
import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import type { CredentialsSourceState, CredentialsStatusState } from '@authx/token-core';
import { createClient } from 'redis';
import {
  CredentialsProviderError,
  CredentialsUnavailableError,
  computeHealth,
  createRedisAuth,
  type RedisAuth,
  type RedisAuthHealth,
} from '../src';
import { ScriptedProvider } from './support/scripted-provider';
import { waitFor } from './support/wait-for';

describe('RedisAuth.health()', () => {
  describe('through an identity-provider outage (emulator fault injection, real node-redis)', () => {
    let azure: LocalAzureRedis;
    const cleanups: (() => unknown)[] = [];

    beforeAll(async () => {
      azure = await startEmulator({ tokenLifetimeSec: 3 });
    });

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await azure?.stop();
    });

    it('is ready while valid or retrying, not ready once expired, and ready again after recovery', async () => {
      const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
        clientId: azure.clientId,
        clientSecret: azure.clientSecret,
        authorityConfig: { type: 'custom', authorityUrl: azure.authority },
        msalConfig: { system: azure.msalConfig().system },
        tokenManagerConfig: {
          expirationRefreshRatio: 0.5,
          lowerRefreshBoundMs: 0,
          refreshJitterMs: 0,
          requestTimeoutMs: 1000,
          retry: { maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 400, jitterPercentage: 0 },
          recovery: { initialDelayMs: 300, maxDelayMs: 600 },
        },
      });
      const auth: RedisAuth = createRedisAuth(provider);
      const client = auth.bind(createClient({ url: azure.redisUrl }));
      client.on('error', () => {});
      cleanups.push(
        () => provider.dispose(),
        () => auth.dispose(),
        () => client.isOpen && client.destroy(),
      );
      const seen: CredentialsStatusState[] = [];
      const health = (): RedisAuthHealth => {
        const h = auth.health();
        if (seen.at(-1) !== h.credentials.state) seen.push(h.credentials.state);
        return h;
      };

      expect(health()).toMatchObject({
        ready: false,
        credentials: { state: 'idle', usable: false, source: 'provider' },
        connections: { total: 1, open: 0, authenticated: 0 },
      });

      await client.connect();
      const valid = health();
      expect(valid).toMatchObject({
        ready: true,
        binding: 'valid',
        credentials: { state: 'valid', usable: true, failedAttempts: 0, lastError: undefined },
        connections: { total: 1, open: 1, authenticated: 1 },
      });
      const { expiresAtMs, refreshAtMs } = valid.credentials;
      expect(refreshAtMs).toBeLessThan(expiresAtMs as number);

      const fault = azure.entra.faults.inject({
        endpoint: 'token',
        status: 503,
        times: Number.POSITIVE_INFINITY,
      });
      cleanups.push(() => fault.cancel());
      await waitFor(() => health().credentials.state === 'retrying', 'retrying', 5000);
      const retrying = health();
      expect(retrying).toMatchObject({
        ready: true,
        credentials: { usable: true, expiresAtMs, lastError: { code: 'ENTRA_SERVER_UNAVAILABLE' } },
      });
      expect(retrying.credentials.failedAttempts).toBeGreaterThan(0);

      await waitFor(() => health().credentials.state === 'expired', 'expired', 5000);
      expect(health()).toMatchObject({
        ready: false,
        credentials: { usable: false, lastError: { code: 'ENTRA_SERVER_UNAVAILABLE' } },
      });
      // The gateway closes a connection whose token expired, as Azure does.
      await waitFor(() => health().connections.authenticated === 0, 'the connection evicted', 5000);

      fault.cancel();
      await waitFor(() => health().ready, 'ready again', 10_000);
      const recovered = health();
      expect(recovered).toMatchObject({
        credentials: { state: 'valid', usable: true, failedAttempts: 0, lastError: undefined },
        connections: { total: 1, open: 1, authenticated: 1 },
      });
      expect(recovered.credentials.expiresAtMs).toBeGreaterThan(expiresAtMs as number);
      expect(await client.ping()).toBe('PONG');
      // `refreshing` (the due refresh in flight) is seen only when a poll lands in its few milliseconds.
      expect(seen.filter((state) => state !== 'refreshing')).toEqual([
        'idle',
        'valid',
        'retrying',
        'expired',
        'valid',
      ]);
    });
  });

  describe('computeHealth', () => {
    const provider = new ScriptedProvider({ password: 'p' });
    const open = [{ isOpen: true, state: 'ready' as const }];

    it.each([
      ['idle', { kind: 'idle' }, 'idle', false],
      ['subscribing', { kind: 'subscribing' }, 'refreshing', true],
      ['valid', { kind: 'valid', generation: 1, expiresAtMs: 5 }, 'valid', true],
      [
        'recovering with usable credentials',
        {
          kind: 'recovering',
          step: 1,
          retryAtMs: 9,
          error: new CredentialsProviderError('down', { isRetryable: true }),
          usable: true,
        },
        'retrying',
        true,
      ],
      [
        'recovering after expiry',
        {
          kind: 'recovering',
          step: 2,
          retryAtMs: 9,
          error: new CredentialsUnavailableError('expired'),
          usable: false,
        },
        'expired',
        false,
      ],
    ] as const)(
      'derives %s from the binding for a provider without status()',
      (_name, binding, state, ready) => {
        const health = computeHealth(provider, binding as CredentialsSourceState, open);
        expect(health).toMatchObject({
          ready,
          binding: binding.kind,
          credentials: { state, source: 'binding' },
        });
      },
    );

    it('is not ready while an open connection is not authenticated', () => {
      const provider = new ScriptedProvider({ password: 'p' });
      const health = computeHealth(provider, { kind: 'valid', generation: 1, expiresAtMs: undefined }, [
        { isOpen: true, state: 'ready' },
        { isOpen: true, state: 'handshaking' },
        { isOpen: false, state: 'closed' },
      ]);
      expect(health).toMatchObject({ ready: false, connections: { total: 3, open: 2, authenticated: 1 } });
    });
  });
});
