import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  MANAGED_IDENTITY_ENV_VARS,
  type ManagedIdentitySource,
  startEmulator,
} from '@authx/emulator';
import { allMet, EMULATOR_TOKEN_LIFETIME_SEC } from '@example/kit';
/** AUTHs the gateway must have accepted per identity: the first token plus at least two rotations. */
const MIN_ACCEPTED_AUTHS = 3;

/** One managed identity to run the app as, and the emulated platform that serves its tokens. */
interface IdentityCase {
  readonly name: 'system' | 'user';
  readonly source: ManagedIdentitySource;
  /** Client id of a user-assigned identity (the app reads it from AZURE_CLIENT_ID). */
  readonly clientId?: string;
  /** Object id the gateway must see as the Redis user. */
  readonly objectId: string;
}

const CASES: readonly IdentityCase[] = [
  { name: 'system', source: 'app-service', objectId: DEFAULT_SYSTEM_MI_OBJECT_ID },
  { name: 'user', source: 'imds', clientId: DEFAULT_USER_MI_CLIENT_ID, objectId: DEFAULT_USER_MI_OBJECT_ID },
];

/**
 * Plays the Azure platform: starts the emulator and runs the app in child processes whose
 * environment is what App Service (system-assigned) or a VM's IMDS (user-assigned) would give it.
 * Separate processes because MSAL fixes the managed identity source process-wide at its first use.
 */
export async function runLocally(which: 'system' | 'user' | 'both', durationSec: number): Promise<boolean> {
  const local = await startEmulator({
    tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC,
    // The endpoints cache tokens as Azure's do (the same token until the renewal window), with a
    // 1.5 s window: Azure's 5 minutes scaled to 3 s tokens (0.75 s) would lie inside the last second,
    // which the provider treats as expired because MSAL rounds expiry to whole seconds.
    entra: { managedIdentityTokenCache: { renewalWindowSec: 1.5 } },
  });
  console.log(
    `emulator: redis ${local.redisUrl}, managed identity endpoint ${local.managedIdentityEndpoint}`,
  );
  try {
    const cases = CASES.filter((c) => which === 'both' || c.name === which);
    const exitCodes = await Promise.all(
      cases.map((c) =>
        runApp(c, childEnv(c, local.redisUrl, local.managedIdentityEnv(c.source), durationSec)),
      ),
    );
    const log = local.gateway.authLog();
    const expectations: Record<string, boolean> = {};
    cases.forEach((c, i) => {
      const accepted = log.filter((entry) => entry.ok && entry.identity === c.objectId).length;
      const tokenRequests = local.entra.requests.filter(
        (request) =>
          request.endpoint === 'mi' && request.managedIdentitySource === c.source && request.status === 200,
      ).length;
      console.log(
        `${c.name}-assigned: app exit code ${exitCodes[i]}, ${tokenRequests} tokens from the ${c.source} endpoint, ` +
          `${accepted} AUTHs accepted for ${c.objectId}`,
      );
      expectations[`${c.name}-assigned app succeeded`] = exitCodes[i] === 0;
      expectations[`at least ${MIN_ACCEPTED_AUTHS} AUTHs as the ${c.name}-assigned identity`] =
        accepted >= MIN_ACCEPTED_AUTHS;
    });
    const { evicted } = local.gateway.stats();
    console.log(`gateway evictions: ${evicted}`);
    expectations['no connection evicted'] = evicted === 0;
    return allMet(expectations);
  } finally {
    await local.stop();
  }
}

function childEnv(
  identity: IdentityCase,
  redisUrl: string,
  managedIdentityEnv: Record<string, string>,
  durationSec: number,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only the emulated platform's variables may select the source.
  for (const name of [...MANAGED_IDENTITY_ENV_VARS, 'AZURE_CLIENT_ID']) delete env[name];
  return {
    ...env,
    ...managedIdentityEnv,
    REDIS_URL: redisUrl,
    EXAMPLE_DURATION_SEC: String(durationSec),
    ...(identity.clientId ? { AZURE_CLIENT_ID: identity.clientId } : {}),
  };
}

/** Runs this example's entry point as the app, prefixing its output; resolves to its exit code. */
async function runApp(identity: IdentityCase, env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = fork(require.resolve('./main'), [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => console.log(`[${identity.name}] ${line}`));
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}
