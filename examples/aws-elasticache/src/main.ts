import { AWS_IAM_DEFAULTS, createElastiCacheIamProvider, iamTokenExpiresAtMs } from '@authx/aws';
import {
  AwsCredentialStore,
  startAwsContainerCredentialsEndpoint,
  startServiceGateway,
} from '@authx/emulator';
import { bindCredentials } from '@authx/redis-auth';
import {
  allMet,
  closeClient,
  durationSec,
  logReauths,
  reconnectStrategy,
  runMain,
  runTraffic,
} from '@example/kit';
import { createClient } from 'redis';

/**
 * Against AWS: set REDIS_URL (rediss://…), ELASTICACHE_CACHE_NAME, ELASTICACHE_USER_ID and AWS_REGION,
 * and run where role credentials are available (ECS task role, EKS Pod Identity, EC2 instance
 * profile, AWS_PROFILE). Without REDIS_URL everything is emulated locally.
 */
async function main(): Promise<boolean> {
  const external = process.env.REDIS_URL !== undefined;
  const stops: Array<() => Promise<void>> = [];
  let url: string;
  let cacheName = process.env.ELASTICACHE_CACHE_NAME ?? 'orders';
  let userId = process.env.ELASTICACHE_USER_ID ?? 'app-user';
  let region = process.env.AWS_REGION ?? 'eu-west-2';
  let stats = () => ({ evicted: 0, authFailed: 0, authOk: 0, credentialSets: 0 });
  if (external) {
    url = process.env.REDIS_URL as string;
  } else {
    // The emulated AWS: IAM keys, an ECS-style container credentials endpoint handing out role
    // credentials that rotate every 2 s, and an ElastiCache cache that verifies each token (with its
    // own SigV4 code) and closes connections 12 h after their last AUTH.
    cacheName = 'orders';
    userId = 'app-user';
    region = 'eu-west-2';
    const iam = new AwsCredentialStore();
    const endpoint = await startAwsContainerCredentialsEndpoint({
      store: iam,
      credentialsLifetimeMs: 4000,
      rotateAfterMs: 2000,
    });
    // The default credentials chain must find the emulated endpoint, not keys from this shell.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      delete process.env[name];
    }
    Object.assign(process.env, endpoint.env);
    const cache = await startServiceGateway({ profile: 'elasticache', cacheName, region, credentials: iam });
    stops.push(
      () => cache.stop(),
      () => endpoint.stop(),
    );
    url = cache.url;
    stats = () => ({ ...cache.stats(), credentialSets: endpoint.issued });
    console.log(
      `emulated ElastiCache ${cacheName} (${region}) at ${url}; role credentials from ${endpoint.url}`,
    );
  }

  const provider = createElastiCacheIamProvider({
    cacheName,
    userId,
    region,
    // Emulator only: 3-second tokens, so that this short run sees several refreshes (AWS: 900 s).
    ...(external ? {} : { expiresInSeconds: 3 }),
  });
  let tokens = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs }) => {
    tokens++;
    console.log(
      `token #${tokens}: valid for new connections for ${((expiresAtMs - Date.now()) / 1000).toFixed(1)} s`,
    );
  });
  provider.events.on('refreshFailed', ({ error }) =>
    console.log(`token request failed: ${(error as Error).message}`),
  );

  const client = createClient({ url, socket: { reconnectStrategy } });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  const auth = bindCredentials(client, provider, {
    expiresAtMs: iamTokenExpiresAtMs,
    maxConnectionAgeMs: AWS_IAM_DEFAULTS.recommendedMaxConnectionAgeMs,
  });
  const reauths = logReauths(auth, { credentials: 'token' });
  try {
    await client.connect();
    const traffic = await runTraffic(client, durationSec() * 1000);
    const s = stats();
    console.log(
      `tokens: ${tokens}, re-authentications: ${reauths.count}, commands ok: ${traffic.ok}, failed: ${traffic.failed}` +
        (external
          ? ''
          : `, role credential sets: ${s.credentialSets}, AUTHs accepted: ${s.authOk}, evictions: ${s.evicted}`),
    );
    return allMet({
      'no command failed': traffic.failed === 0,
      'commands ran': traffic.ok > 0,
      'at least 3 tokens (local)': external || tokens >= 3,
      'no eviction, no refused AUTH (local)': external || (s.evicted === 0 && s.authFailed === 0),
    });
  } finally {
    await closeClient(client);
    auth.dispose();
    provider.dispose();
    for (const stop of stops) await stop();
  }
}

runMain(main);
