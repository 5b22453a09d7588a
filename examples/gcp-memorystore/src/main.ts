import { startGoogleMetadataServer, startServiceGateway } from '@authx/emulator';
import { createMemorystoreIamProvider, createReconnectBackoff } from '@authx/gcp';
import { bindCredentials } from '@authx/redis-auth';
import { allMet, closeClient, durationSec, logReauths, runMain, runTraffic } from '@example/kit';
import { GoogleAuth } from 'google-auth-library';
import { createClient } from 'redis';

/**
 * Against Google Cloud: set REDIS_URL (rediss://<discovery endpoint>:6379) and run where
 * Application Default Credentials resolve to a principal with roles/redis.dbConnectionUser.
 * Without REDIS_URL everything is emulated locally.
 */
async function main(): Promise<boolean> {
  const external = process.env.REDIS_URL !== undefined;
  const stops: Array<() => Promise<void>> = [];
  let url: string;
  let stats = () => ({ evicted: 0, authFailed: 0, authOk: 0, issued: 0 });
  let auth: GoogleAuth | undefined;
  if (external) {
    url = process.env.REDIS_URL as string;
  } else {
    // The emulated Google: a metadata server (GCE_METADATA_HOST) issuing 4-second tokens, and a
    // Memorystore instance that accepts only unexpired tokens it issued and, like Memorystore with
    // IAM authentication, limits the rate of new connections (here 50 per second).
    const metadata = await startGoogleMetadataServer({ tokenLifetimeMs: 4000, renewBeforeExpiryMs: 1500 });
    Object.assign(process.env, metadata.env);
    const memorystore = await startServiceGateway({
      profile: 'memorystore',
      tokens: metadata,
      maxNewConnectionsPerSecond: 50,
    });
    stops.push(
      () => memorystore.stop(),
      () => metadata.stop(),
    );
    url = memorystore.url;
    stats = () => ({ ...memorystore.stats(), issued: metadata.issued });
    // google-auth-library renews its token 5 min before expiry; scaled to the 4-second tokens.
    auth = new GoogleAuth({
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      clientOptions: { eagerRefreshThresholdMillis: 2000 },
    });
    console.log(`emulated Memorystore at ${url}; metadata server at ${metadata.hostPort}`);
  }

  const provider = createMemorystoreIamProvider(auth ? { auth } : {});
  let tokens = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs }) => {
    tokens++;
    console.log(`access token #${tokens}: expires in ${((expiresAtMs - Date.now()) / 1000).toFixed(1)} s`);
  });
  provider.events.on('refreshFailed', ({ error }) =>
    console.log(`token request failed: ${(error as Error).message}`),
  );

  // Memorystore rate-limits new IAM connections: reconnects spread with full jitter (0–1 s, doubling
  // to 5 s) rather than all at once. Token refreshes open no connection (AUTH in place).
  const client = createClient({
    url,
    socket: { reconnectStrategy: createReconnectBackoff().reconnectStrategy },
  });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  const binding = bindCredentials(client, provider);
  const reauths = logReauths(binding, { credentials: 'token' });
  try {
    await client.connect();
    const traffic = await runTraffic(client, durationSec() * 1000);
    const s = stats();
    console.log(
      `tokens: ${tokens}, re-authentications: ${reauths.count}, commands ok: ${traffic.ok}, failed: ${traffic.failed}` +
        (external
          ? ''
          : `, tokens issued: ${s.issued}, AUTHs accepted: ${s.authOk}, evictions: ${s.evicted}`),
    );
    return allMet({
      'no command failed': traffic.failed === 0,
      'commands ran': traffic.ok > 0,
      'at least 2 tokens (local)': external || tokens >= 2,
      'no refused AUTH (local)': external || s.authFailed === 0,
    });
  } finally {
    await closeClient(client);
    binding.dispose();
    provider.dispose();
    for (const stop of stops) await stop();
  }
}

runMain(main);
