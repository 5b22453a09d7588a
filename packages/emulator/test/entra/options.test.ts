import { decodeJwt } from 'jose';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_USER_OID,
  EntraEmulatorError,
  EntraEmulatorErrorCode,
  type EntraEmulatorOptions,
  startEntraEmulator,
} from '../../src';

describe('startEntraEmulator › options', () => {
  it.each<[string, EntraEmulatorOptions, RegExp]>([
    [
      'a negative lifetime',
      { tokenLifetimeSec: -1 },
      /options\.tokenLifetimeSec must be a finite number of seconds > 0; got -1/,
    ],
    [
      'an unknown token version',
      { accessTokenVersion: 3 as 1 },
      /options\.accessTokenVersion must be 1 or 2; got 3/,
    ],
    ['a bad port', { port: 70000 }, /options\.port must be an integer 0–65535/],
    [
      'an unknown signed-in user',
      { signedInUser: 'nobody@x' },
      /options\.signedInUser must be the UPN or object id/,
    ],
    ['no tenants', { tenants: [] }, /options\.tenants must be a non-empty array/],
    [
      'a refreshTokenRotation that is not a boolean',
      { refreshTokenRotation: 'yes' as unknown as boolean },
      /options\.refreshTokenRotation must be true or false/,
    ],
    [
      'an app in an unknown tenant',
      { apps: [{ clientId: 'a', tenantId: 'nope' }] },
      /options\.apps\[0\]\.tenantId must be one of the tenants/,
    ],
    [
      'a certificate that is not PEM',
      { apps: [{ clientId: 'a', certificates: ['junk'] }] },
      /options\.apps\[0\]\.certificates\[0\] must be a PEM certificate/,
    ],
    [
      'two system-assigned identities',
      {
        managedIdentities: [
          { kind: 'system', clientId: 'a', objectId: 'b' },
          { kind: 'system', clientId: 'c', objectId: 'd' },
        ],
      },
      /options\.managedIdentities\[1\]\.kind must be 'user'/,
    ],
  ])('fails with INVALID_OPTION naming the option for %s', async (_case, options, message) => {
    const error = await startEntraEmulator(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EntraEmulatorError);
    expect(error).toMatchObject({ code: EntraEmulatorErrorCode.INVALID_OPTION });
    expect((error as Error).message).toMatch(message);
  });

  it('never shows a rejected secret in the error', async () => {
    const error = await startEntraEmulator({
      apps: [{ clientId: 'a', secrets: ['', 'my-real-secret'] }],
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('options.apps[0].secrets');
    expect((error as Error).message).not.toContain('my-real-secret');
  });

  it('fails with START_FAILED when the port is taken', async () => {
    const first = await startEntraEmulator();
    try {
      const error = await startEntraEmulator({ port: first.port }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: EntraEmulatorErrorCode.START_FAILED });
      expect((error as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });

  it('starts ready to use with no options: tenant, app, user, managed identities, 1 h v1 tokens', async () => {
    const emulator = await startEntraEmulator();
    try {
      expect(emulator.tenantId).toBe(DEFAULT_TENANT_ID);
      expect(emulator.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.authority()).toBe(`${emulator.authorityHost}/${DEFAULT_TENANT_ID}`);
      const app = decodeJwt((await emulator.issueAccessToken()).accessToken);
      expect(app).toMatchObject({ appid: DEFAULT_CLIENT_ID, ver: '1.0', aud: 'https://redis.azure.com' });
      expect((app.exp ?? 0) - (app.iat ?? 0)).toBeGreaterThanOrEqual(3600);
      expect((await emulator.issueAccessToken({ kind: 'user' })).oid).toBe(DEFAULT_USER_OID);
      expect((await emulator.issueAccessToken({ kind: 'managed-identity' })).oid).toBe(
        DEFAULT_SYSTEM_MI_OBJECT_ID,
      );
      expect(emulator.msalConfig().auth.knownAuthorities).toEqual([`127.0.0.1:${emulator.port}`]);
    } finally {
      await emulator.stop();
    }
  });

  it('applies lifetimes per identity over the global one, and rounds exp up to whole seconds', async () => {
    const nowMs = 1_800_000_000_400;
    const emulator = await startEntraEmulator({
      now: () => nowMs,
      tokenLifetimeSec: 2,
      apps: [{ clientId: 'short', tokenLifetimeSec: 1.5 }],
    });
    try {
      const global = decodeJwt((await emulator.issueAccessToken({ kind: 'managed-identity' })).accessToken);
      expect(global).toMatchObject({ iat: 1_800_000_000, nbf: 1_800_000_000, exp: 1_800_000_003 });
      const perApp = decodeJwt((await emulator.issueAccessToken({ clientId: 'short' })).accessToken);
      expect(perApp.exp).toBe(1_800_000_002);
      const v2 = decodeJwt((await emulator.issueAccessToken({ clientId: 'short', version: 2 })).accessToken);
      expect(v2).toMatchObject({
        ver: '2.0',
        azp: 'short',
        iss: `${emulator.authorityHost}/${DEFAULT_TENANT_ID}/v2.0`,
      });
    } finally {
      await emulator.stop();
    }
  });

  it('rejects an invalid fault naming the field', async () => {
    const emulator = await startEntraEmulator();
    try {
      expect(() => emulator.faults.inject({ endpoint: 'nope' as 'token' })).toThrow(
        /fault\.endpoint must be one of 'token'/,
      );
      expect(() => emulator.faults.inject({ endpoint: 'token', times: 0 })).toThrow(
        /fault\.times must be an integer ≥ 1/,
      );
    } finally {
      await emulator.stop();
    }
  });
});
