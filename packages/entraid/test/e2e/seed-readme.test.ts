import {
  type EntraEmulator,
  MANAGED_IDENTITY_ENV_VARS,
  type RedisGateway,
  startEntraEmulator,
} from '@authx/emulator';
import { CACHED_MI_TOKEN_LIFETIME_SEC } from '../helpers/emulator';
import { startGatewayFor } from '../helpers/rotation';
import { REDIRECT_HOST_PRELOAD, runFixture } from '../helpers/run-fixture';

// The seed README's examples, unchanged except for the import, run in fresh Node processes and reach
// the emulator only through the environment: AZURE_AUTHORITY_HOST, NODE_EXTRA_CA_CERTS,
// IDENTITY_ENDPOINT / IDENTITY_HEADER, and a host mapping of redis://your-host to the gateway.
describe('seed README examples (unchanged except the import)', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    emulator = await startEntraEmulator({
      // 3 s: the README refreshes at 80 % of the lifetime, which must leave time for the re-AUTH.
      tokenLifetimeSec: 3,
      tenants: [{ tenantId: 'your-tenant-id' }],
      apps: [{ clientId: 'your-client-id', secrets: ['your-client-secret'] }],
      managedIdentities: [
        {
          kind: 'system',
          clientId: '5eed0000-0000-4000-8000-000000000001',
          objectId: '5eed0000-0000-4000-8000-000000000002',
          // Cached as Azure caches them: see CACHED_MI_TOKEN_LIFETIME_SEC for why not 3 s.
          tokenLifetimeSec: CACHED_MI_TOKEN_LIFETIME_SEC,
        },
        {
          kind: 'user',
          clientId: 'your-user-assigned-client-id',
          objectId: '5eed0000-0000-4000-8000-000000000003',
          tokenLifetimeSec: CACHED_MI_TOKEN_LIFETIME_SEC,
        },
      ],
    });
    gateway = await startGatewayFor(emulator);
    baseEnv = {
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      NODE_EXTRA_CA_CERTS: emulator.caPath,
      NODE_OPTIONS: `--require ${REDIRECT_HOST_PRELOAD}`,
      AUTHX_TEST_REDIRECT: `your-host:6379=127.0.0.1:${gateway.port}`,
      // No managed identity source unless a test adds one.
      ...Object.fromEntries(MANAGED_IDENTITY_ENV_VARS.map((name) => [name, ''])),
    };
  });

  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
  });

  it.each([
    [
      'service principal with a multi-tenant authority',
      'seed-readme-service-principal.ts',
      'your-client-id',
      false,
    ],
    ['retry configuration', 'seed-readme-retry.ts', 'your-client-id', false],
    [
      'system-assigned managed identity',
      'seed-readme-system-assigned-managed-identity.ts',
      '5eed0000-0000-4000-8000-000000000002',
      true,
    ],
    [
      'user-assigned managed identity',
      'seed-readme-user-assigned-managed-identity.ts',
      '5eed0000-0000-4000-8000-000000000003',
      true,
    ],
  ])(
    '%s: commands succeed across 3 token rotations',
    async (_, fixture, expectedIdentity, managedIdentity) => {
      const before = gateway.stats();
      const identities = new Set<string>();
      const onAuth = ({ identity }: { identity: string }) => identities.add(identity);
      gateway.on('authOk', onAuth);
      const env = { ...baseEnv, ...(managedIdentity ? emulator.managedIdentityEnv('app-service') : {}) };
      const run = await runFixture(fixture, env);
      gateway.off('authOk', onAuth);
      expect({ exitCode: run.exitCode, stderr: run.stderr, stdout: run.stdout }).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: expect.stringContaining('SEED_RESULT'),
      });
      expect(run.result).toMatchObject({ commandsFailed: 0, clientErrors: [] });
      expect(run.result?.tokensAcquired).toBeGreaterThanOrEqual(4);
      const after = gateway.stats();
      expect(after.evicted - before.evicted).toBe(0);
      expect(after.authOk - before.authOk).toBeGreaterThanOrEqual(4);
      if (expectedIdentity === 'your-client-id') {
        // App-only tokens carry the service principal's object id, derived by the emulator.
        expect(identities.size).toBe(1);
      } else {
        expect([...identities]).toEqual([expectedIdentity]);
      }
    },
    90_000,
  );
});
