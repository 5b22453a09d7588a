import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import { durationSec, reconnectStrategy, runKeyValueScenario, runMain, withTarget } from '@example/kit';
import { createClient } from 'redis';
import { type CertificateTarget, startTarget } from './target';

async function runScenario(target: CertificateTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  // The flow: the app proves who it is with its certificate's private key (a signed client
  // assertion; no secret leaves the process) and gets Entra ID tokens, refreshed before they expire.
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate(
    target.providerParams,
  );
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

runMain(() => withTarget(() => startTarget(process.env), runScenario));
