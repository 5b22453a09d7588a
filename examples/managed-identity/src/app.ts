import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import { createClient } from 'redis';
import { runTraffic } from './traffic';

/**
 * The application as it runs on an Azure VM, App Service, Container App or AKS pod with a managed
 * identity: no secret anywhere. MSAL finds the identity endpoint in the environment the platform
 * sets (IDENTITY_ENDPOINT + IDENTITY_HEADER on App Service, IMDS on a VM); AZURE_CLIENT_ID picks a
 * user-assigned identity, else the system-assigned one is used. Returns true when no command failed.
 */
export async function runApp(env: NodeJS.ProcessEnv, durationMs: number): Promise<boolean> {
  const redisUrl = env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is required (see README.md)');
  const userAssignedClientId = env.AZURE_CLIENT_ID;
  const provider = userAssignedClientId
    ? EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({ userAssignedClientId })
    : EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity();
  console.log(
    `identity: ${userAssignedClientId ? `user-assigned ${userAssignedClientId}` : 'system-assigned'}`,
  );
  let tokens = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs, receivedAtMs }) => {
    tokens++;
    console.log(`token #${tokens} acquired, valid for ${((expiresAtMs - receivedAtMs) / 1000).toFixed(1)} s`);
  });
  provider.events.on('refreshFailed', ({ attempt, error }) =>
    console.log(`token refresh attempt ${attempt} failed: ${(error as Error).name}`),
  );

  const client = createClient({ url: redisUrl, socket: { reconnectStrategy } });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  const auth = bindCredentials(client, provider);
  let reauths = 0;
  auth.events.on('reauthenticated', ({ via }) => {
    if (via === 'auth') reauths++;
  });
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );
  try {
    await client.connect();
    console.log(`connected as ${await whoAmI(client)}`);
    const traffic = await runTraffic(client, durationMs);
    console.log(
      `tokens acquired: ${tokens}, re-authentications: ${reauths}, commands ok: ${traffic.ok}, failed: ${traffic.failed}`,
    );
    return traffic.failed === 0 && traffic.ok > 0;
  } finally {
    await closeClient(client);
    auth.dispose();
    provider.dispose();
  }
}

/** The ACL user the connection runs as (the identity's object id); Azure may not allow ACL WHOAMI. */
async function whoAmI(client: { sendCommand(args: string[]): Promise<unknown> }): Promise<string> {
  try {
    return String(await client.sendCommand(['ACL', 'WHOAMI']));
  } catch {
    return 'the managed identity (ACL WHOAMI not available)';
  }
}

/** Reconnect quickly, but give up after ~10 s without Redis, so that the example ends instead of waiting forever. */
function reconnectStrategy(retries: number): number | Error {
  return retries < 12 ? Math.min(50 * 2 ** retries, 1000) : new Error('Redis is unreachable');
}
/** Closes a client (or cluster) that may never have connected, or may have given up reconnecting. */
async function closeClient(client: {
  isOpen: boolean;
  close(): Promise<unknown>;
  destroy(): unknown;
}): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    if (client.isOpen) client.destroy();
  }
}
