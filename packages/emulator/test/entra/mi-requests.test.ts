import { decodeJwt } from 'jose';
import {
  DEFAULT_MI_RENEWAL_WINDOW_SEC,
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  DEFAULT_USER_MI_RESOURCE_ID,
  type EntraEmulator,
  type EntraEmulatorOptions,
  startEntraEmulator,
} from '../../src';
import { httpGet } from './support/http-request';

const REDIS = 'https://redis.azure.com';

/** Raw managed identity requests (no MSAL), as the App Service and IMDS hosts receive them. */
function miClient(emulator: EntraEmulator) {
  const appService = emulator.managedIdentityEnv('app-service');
  const imds = emulator.managedIdentityEnv('imds');
  return {
    appService: (
      query: Record<string, string>,
      headers = { 'X-IDENTITY-HEADER': appService.IDENTITY_HEADER! },
    ) => httpGet(`${appService.IDENTITY_ENDPOINT}?${new URLSearchParams(query)}`, headers),
    imds: (query: Record<string, string>, headers: Record<string, string> = { Metadata: 'true' }) =>
      httpGet(
        `${imds.AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token?${new URLSearchParams(query)}`,
        headers,
      ),
  };
}

describe('Entra emulator › managed identity requests, as strict as Azure', () => {
  let emulator: EntraEmulator;
  let mi: ReturnType<typeof miClient>;

  beforeAll(async () => {
    emulator = await startEntraEmulator();
    mi = miClient(emulator);
  });
  afterAll(() => emulator.stop());

  describe('App Service (api-version 2019-08-01, client_id / object_id / principal_id / mi_res_id)', () => {
    const ok = { 'api-version': '2019-08-01', resource: REDIS };

    it.each<[string, Record<string, string>, RegExp]>([
      ['no api-version', { resource: REDIS }, /api-version' is missing/],
      [
        'the IMDS api-version',
        { ...ok, 'api-version': '2018-02-01' },
        /api-version '2018-02-01' is not supported/,
      ],
      [
        'the IMDS msi_res_id',
        { ...ok, msi_res_id: DEFAULT_USER_MI_RESOURCE_ID },
        /'msi_res_id' is not supported/,
      ],
      ['the 2017 clientid', { ...ok, clientid: DEFAULT_USER_MI_CLIENT_ID }, /'clientid' is not supported/],
      [
        'two identities',
        { ...ok, client_id: DEFAULT_USER_MI_CLIENT_ID, object_id: DEFAULT_USER_MI_OBJECT_ID },
        /Only one of/,
      ],
      ['no resource', { 'api-version': '2019-08-01' }, /'resource' is missing/],
      ['a scope instead of a resource', { ...ok, resource: `${REDIS}/.default` }, /^AADSTS500011: /],
    ])('refuses %s with 400 and an App Service body', async (_case, query, message) => {
      const response = await mi.appService(query);
      expect(response.status).toBe(400);
      expect(response.json()).toEqual({
        statusCode: 400,
        message: expect.stringMatching(message),
        correlationId: expect.any(String),
      });
    });

    it.each([
      ['client_id', DEFAULT_USER_MI_CLIENT_ID],
      ['object_id', DEFAULT_USER_MI_OBJECT_ID],
      ['principal_id', DEFAULT_USER_MI_OBJECT_ID],
      ['mi_res_id', DEFAULT_USER_MI_RESOURCE_ID],
    ])('names a user-assigned identity by %s', async (parameter, value) => {
      const response = await mi.appService({ ...ok, [parameter]: value });
      expect(response.status).toBe(200);
      expect(decodeJwt(String(response.json().access_token)).oid).toBe(DEFAULT_USER_MI_OBJECT_ID);
    });

    it('writes the resource into aud as requested, trailing slash included', async () => {
      const response = await mi.appService({ ...ok, resource: `${REDIS}/` });
      expect(response.json()).toMatchObject({ resource: `${REDIS}/` });
      expect(decodeJwt(String(response.json().access_token)).aud).toBe(`${REDIS}/`);
    });
  });

  describe('IMDS (api-version 2018-02-01, client_id / object_id / msi_res_id, Metadata: true)', () => {
    const ok = { 'api-version': '2018-02-01', resource: REDIS };

    it.each<[string, Record<string, string>, string, RegExp]>([
      ['no api-version', { resource: REDIS }, 'invalid_request', /api-version' is missing/],
      [
        'the App Service api-version',
        { ...ok, 'api-version': '2019-08-01' },
        'invalid_request',
        /not supported/,
      ],
      [
        'the App Service mi_res_id',
        { ...ok, mi_res_id: DEFAULT_USER_MI_RESOURCE_ID },
        'invalid_request',
        /'mi_res_id'/,
      ],
      [
        'the App Service principal_id',
        { ...ok, principal_id: DEFAULT_USER_MI_OBJECT_ID },
        'invalid_request',
        /'principal_id'/,
      ],
      [
        'a scope instead of a resource',
        { ...ok, resource: `${REDIS}/.default` },
        'invalid_resource',
        /^AADSTS500011: /,
      ],
      [
        'an unknown resource',
        { ...ok, resource: 'https://vault.azure.net' },
        'invalid_resource',
        /^AADSTS500011: /,
      ],
    ])('refuses %s with 400 and an IMDS body', async (_case, query, error, description) => {
      const response = await mi.imds(query);
      expect(response.status).toBe(400);
      expect(response.json()).toEqual({
        error,
        error_description: expect.stringMatching(description),
        timestamp: expect.any(String),
      });
    });

    it('names a user-assigned identity by msi_res_id', async () => {
      const response = await mi.imds({ ...ok, msi_res_id: DEFAULT_USER_MI_RESOURCE_ID });
      expect(decodeJwt(String(response.json().access_token)).oid).toBe(DEFAULT_USER_MI_OBJECT_ID);
    });
  });
});

describe('Entra emulator › managed identity token cache (on by default, as on Azure)', () => {
  let nowMs = Date.parse('2026-11-20T10:00:00Z');
  const start = (options: EntraEmulatorOptions = {}) => {
    // On a whole second, exp is exactly now + lifetime.
    nowMs = Math.ceil(nowMs / 1000) * 1000 + 1000;
    return startEntraEmulator({ now: () => nowMs, tokenLifetimeSec: 3600, ...options });
  };
  const appService = { 'api-version': '2019-08-01', resource: REDIS };
  const imds = { 'api-version': '2018-02-01', resource: REDIS };
  const token = async (response: Promise<{ json: () => Record<string, unknown> }>) =>
    String((await response).json().access_token);

  it('hands the same token to every request until the renewal window (5 min for 1-hour tokens), then a new one', async () => {
    expect(DEFAULT_MI_RENEWAL_WINDOW_SEC).toBe(300);
    const emulator = await start();
    try {
      const mi = miClient(emulator);
      const first = await token(mi.appService(appService));
      nowMs += (3600 - 300) * 1000 - 1000;
      // Same identity and resource: the cached token, from either endpoint.
      expect(await token(mi.appService(appService))).toBe(first);
      const viaImds = (await mi.imds(imds)).json();
      expect(viaImds.access_token).toBe(first);
      // IMDS says how long is left, not the original lifetime.
      expect(viaImds.expires_in).toBe('301');
      nowMs += 1000;
      const renewed = await token(mi.appService(appService));
      expect(renewed).not.toBe(first);
      expect(decodeJwt(renewed).exp).toBe(Math.ceil(nowMs / 1000) + 3600);
    } finally {
      await emulator.stop();
    }
  });

  it('caches per identity and per resource as requested', async () => {
    const emulator = await start();
    try {
      const mi = miClient(emulator);
      const system = await token(mi.appService(appService));
      const user = await token(mi.appService({ ...appService, client_id: DEFAULT_USER_MI_CLIENT_ID }));
      const byObjectId = await token(mi.appService({ ...appService, object_id: DEFAULT_USER_MI_OBJECT_ID }));
      const withSlash = await token(mi.appService({ ...appService, resource: `${REDIS}/` }));
      expect(new Set([system, user, withSlash]).size).toBe(3);
      expect(byObjectId).toBe(user);
      expect(decodeJwt(system).oid).toBe(DEFAULT_SYSTEM_MI_OBJECT_ID);
    } finally {
      await emulator.stop();
    }
  });

  it('scales the default window to a quarter of short lifetimes (2 s tokens: 0.5 s)', async () => {
    const emulator = await start({ tokenLifetimeSec: 2 });
    try {
      const mi = miClient(emulator);
      const first = await token(mi.appService(appService));
      nowMs += 1490;
      expect(await token(mi.appService(appService))).toBe(first);
      nowMs += 20;
      expect(await token(mi.appService(appService))).not.toBe(first);
    } finally {
      await emulator.stop();
    }
  });

  it('takes the window from { renewalWindowSec }', async () => {
    const emulator = await start({ managedIdentityTokenCache: { renewalWindowSec: 1800 } });
    try {
      const mi = miClient(emulator);
      const first = await token(mi.appService(appService));
      nowMs += 1799_000;
      expect(await token(mi.appService(appService))).toBe(first);
      nowMs += 1000;
      expect(await token(mi.appService(appService))).not.toBe(first);
    } finally {
      await emulator.stop();
    }
  });

  it('issues a new token for every request with managedIdentityTokenCache: false (a leniency)', async () => {
    const emulator = await start({ managedIdentityTokenCache: false });
    try {
      const mi = miClient(emulator);
      expect(await token(mi.appService(appService))).not.toBe(await token(mi.appService(appService)));
    } finally {
      await emulator.stop();
    }
  });

  it('forgets cached tokens on clearManagedIdentityTokenCache() and on rotateSigningKey({ dropPrevious })', async () => {
    const emulator = await start();
    try {
      const mi = miClient(emulator);
      const first = await token(mi.appService(appService));
      emulator.clearManagedIdentityTokenCache();
      const second = await token(mi.appService(appService));
      expect(second).not.toBe(first);
      await emulator.rotateSigningKey();
      expect(await token(mi.appService(appService))).toBe(second);
      await emulator.rotateSigningKey({ dropPrevious: true });
      expect(await token(mi.appService(appService))).not.toBe(second);
    } finally {
      await emulator.stop();
    }
  });

  it.each([{ renewalWindowSec: -1 }, 'yes'])(
    'rejects managedIdentityTokenCache %p, naming it',
    async (value) => {
      await expect(start({ managedIdentityTokenCache: value as never })).rejects.toThrow(
        /options\.managedIdentityTokenCache must be true, false or \{ renewalWindowSec/,
      );
    },
  );
});
