import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  type LocalAzureRedis,
  MANAGED_IDENTITY_ENV_VARS,
  startEmulator,
} from '@authx/emulator';

const PACKAGE_DIR = join(__dirname, '..', '..');
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

/** The bin as a user runs it, in its own process (MSAL's managed identity state is per process). */
function doctor(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of [
    ...MANAGED_IDENTITY_ENV_VARS,
    'AZURE_CLIENT_ID',
    'AZURE_TENANT_ID',
    'AZURE_CLIENT_SECRET',
    'REDIS_URL',
  ])
    delete base[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/doctor-cli.ts', ...args],
      { cwd: PACKAGE_DIR, env: { ...base, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('authx-doctor (the bin)', () => {
  let azure: LocalAzureRedis;

  beforeAll(async () => {
    azure = await startEmulator({ tls: true });
  });

  afterAll(async () => {
    await azure?.stop();
  });

  it('prints its usage with --help and exits 0', async () => {
    const { code, stdout } = await doctor(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: authx-doctor');
  });

  it('exits 2 naming an unknown flag', async () => {
    const { code, stderr } = await doctor(['--colour']);
    expect(code).toBe(2);
    expect(stderr).toBe('authx-doctor: unknown option --colour (see --help)\n');
  });

  it('reads AZURE_* variables, prints one ✓ line per step and exits 0, showing neither token nor secret', async () => {
    const { code, stdout } = await doctor(['--ca-file', azure.caPath], {
      AZURE_CLIENT_ID: azure.clientId,
      AZURE_TENANT_ID: azure.tenantId,
      AZURE_CLIENT_SECRET: azure.clientSecret,
      AZURE_AUTHORITY_HOST: azure.authorityHost,
      REDIS_URL: azure.redisUrl,
    });
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      '✓ configuration valid',
      '✓ token acquired',
      '✓ clock in sync',
      '✓ redis reachable',
      '✓ AUTH accepted',
      '✓ PING and refresh plan',
      'authx doctor',
    ]);
    expect(lines.at(-1)).toBe('authx doctor: all checks passed');
    expect(stdout).not.toMatch(JWT);
    expect(stdout).not.toContain(azure.clientSecret);
  });

  it('explains a managed identity the endpoint does not have, and exits 1', async () => {
    const missing = '99999999-2222-4222-8222-222222222222';
    const { code, stdout } = await doctor(
      [
        '--flow',
        'managed-identity',
        '--mi-client-id',
        missing,
        '--redis-url',
        azure.redisUrl,
        '--ca-file',
        azure.caPath,
      ],
      azure.managedIdentityEnv('app-service'),
    );
    expect(code).toBe(1);
    expect(stdout).toContain(`✗ token acquired: managed-identity failed after`);
    expect(stdout).toContain(
      `cause: the managed identity endpoint has no user-assigned managed identity ${missing} for this resource (HTTP 400)`,
    );
    expect(stdout).toContain('code:  TOKEN_MANAGED_IDENTITY_NOT_FOUND');
    expect(stdout).toContain('– AUTH accepted: skipped');
    expect(stdout.trim().split('\n').at(-1)).toBe(
      'authx doctor: failed at "token acquired" (TOKEN_MANAGED_IDENTITY_NOT_FOUND)',
    );
  });

  it('passes with a user-assigned managed identity from AZURE_CLIENT_ID, as JSON', async () => {
    const { code, stdout } = await doctor(
      ['--flow', 'managed-identity', '--json', '--ca-file', azure.caPath],
      {
        ...azure.managedIdentityEnv('imds'),
        AZURE_CLIENT_ID: DEFAULT_USER_MI_CLIENT_ID,
        REDIS_URL: azure.redisUrl,
      },
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(true);
    expect(report.steps.find((step: { id: string }) => step.id === 'auth')).toMatchObject({
      status: 'pass',
      data: { oid: DEFAULT_USER_MI_OBJECT_ID },
    });
    expect(stdout).not.toMatch(JWT);
  });
});
