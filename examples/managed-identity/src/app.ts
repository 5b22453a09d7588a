import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import { logReauths, logTokens, reconnectStrategy, runKeyValue } from '@example/kit';
import { createClient } from 'redis';

/**
 * The application as it runs on an Azure VM, App Service, Container App or AKS pod with a managed
 * identity: no secret anywhere. MSAL finds the identity endpoint in the environment the platform
 * sets (IDENTITY_ENDPOINT + IDENTITY_HEADER on App Service, IMDS on a VM); AZURE_CLIENT_ID picks a
 * user-assigned identity, else the system-assigned one is used. Returns true when no command failed.
 */
export async function runApp(env: NodeJS.ProcessEnv, durationMs: number): Promise<boolean> {
  const redisUrl = env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is required (see README.md)');
  // The flow: the platform's identity endpoint hands out the tokens; the app holds no credential.
  const userAssignedClientId = env.AZURE_CLIENT_ID;
  const provider = userAssignedClientId
    ? EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({ userAssignedClientId })
    : EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity();
  console.log(
    `identity: ${userAssignedClientId ? `user-assigned ${userAssignedClientId}` : 'system-assigned'}`,
  );
  const tokens = logTokens(provider);

  const client = createClient({ url: redisUrl, socket: { reconnectStrategy } });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  // Every new token re-authenticates the live connection (AUTH <oid> <token>).
  const auth = bindCredentials(client, provider);
  const reauths = logReauths(auth, { logEach: false });

  const traffic = await runKeyValue({
    client,
    identity: 'the managed identity',
    durationMs,
    dispose: [auth, provider],
  });
  console.log(
    `tokens acquired: ${tokens.count}, re-authentications: ${reauths.count}, commands ok: ${traffic.ok}, failed: ${traffic.failed}`,
  );
  return traffic.failed === 0 && traffic.ok > 0;
}
