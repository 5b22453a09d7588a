import { ManagedIdentityApplication } from '@azure/msal-node';
import { createClient } from 'redis';
import {
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  type LocalAzureRedis,
  MANAGED_IDENTITY_ENV_VARS,
  startEmulator,
} from '../../src';

// MSAL fixes the managed identity source per process: this file uses App Service only.
describe('startEmulator › managed identity (App Service env)', () => {
  let azure: LocalAzureRedis;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    azure = await startEmulator();
    for (const name of MANAGED_IDENTITY_ENV_VARS) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    Object.assign(process.env, azure.managedIdentityEnv('app-service'));
  });

  afterAll(async () => {
    for (const name of MANAGED_IDENTITY_ENV_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await azure.stop();
  });

  it('lets MSAL get a managed identity token that the gateway accepts as the identity oid', async () => {
    const app = new ManagedIdentityApplication({ system: { disableInternalRetries: true } });
    const result = await app.acquireToken({ resource: azure.resource });
    const client = createClient({
      url: azure.redisUrl,
      username: DEFAULT_SYSTEM_MI_OBJECT_ID,
      password: result.accessToken,
    });
    await client.connect();
    try {
      await client.set('mi', 'ok');
      expect(await client.get('mi')).toBe('ok');
    } finally {
      client.destroy();
    }
  });
});
