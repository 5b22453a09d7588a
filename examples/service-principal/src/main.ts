import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import {
  type ClientSecretTarget,
  durationSec,
  reconnectStrategy,
  runKeyValueScenario,
  runMain,
  startClientSecretTarget,
  withTarget,
} from '@example/kit';
import { createClient } from 'redis';

async function runScenario(target: ClientSecretTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  // The flow: an app registration's client secret buys Entra ID tokens (client credentials grant),
  // refreshed before they expire.
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  const client = createClient({ url: target.redisUrl, socket: { reconnectStrategy } });
  // Every new token re-authenticates the live connection (AUTH <oid> <token>).
  const auth = bindCredentials(client, provider);
  // Print tokens and re-authentications, SET/GET for the run's duration, then the summary and checks.
  return runKeyValueScenario({
    target,
    provider,
    client,
    auth,
    identity: 'the service principal',
    durationMs: durationSec() * 1000,
  });
}

runMain(() => withTarget(() => startClientSecretTarget(process.env), runScenario));
