import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { durationSec, reconnectStrategy, runKeyValueScenario, runMain, withTarget } from '@example/kit';
import { createClient } from 'redis';
import { startTarget, type WorkloadIdentityTarget } from './target';

async function runScenario(target: WorkloadIdentityTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  // The flow: any @azure/identity TokenCredential works; DefaultAzureCredential picks one from the
  // environment (here workload identity: a federated token file exchanged for Entra ID tokens).
  const credential = new DefaultAzureCredential(target.providerParams);
  const provider = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({ credential });
  const client = createClient({ url: target.redisUrl, socket: { reconnectStrategy } });
  // Every new token re-authenticates the live connection (AUTH <oid> <token>).
  const auth = bindCredentials(client, provider);
  // Print tokens and re-authentications, SET/GET for the run's duration, then the summary and checks.
  return runKeyValueScenario({
    target,
    provider,
    client,
    auth,
    identity: 'the credential’s identity',
    durationMs: durationSec() * 1000,
    details: () => (target.mode === 'emulator' ? [`Entra token requests: ${target.tokenRequests()}`] : []),
  });
}

runMain(() => withTarget(() => startTarget(process.env), runScenario));
