import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, type LocalAzureRedis, REDIS_RESOURCE, startEmulator } from '@authx/emulator';
import {
  type DoctorInput,
  type DoctorReport,
  formatDoctorJson,
  formatDoctorStep,
  runDoctor,
} from '../../src';

const GRAPH = { identifierUri: 'https://graph.microsoft.com', appId: '00000003-0000-0000-c000-000000000000' };
const STRANGER = { clientId: '33333333-3333-4333-8333-333333333333', secret: 'stranger-client-secret-value' };

function failedStep(report: DoctorReport) {
  return report.steps.find((step) => step.status === 'fail');
}

function text(report: DoctorReport): string {
  return `${report.steps.map(formatDoctorStep).join('\n')}\n${formatDoctorJson(report)}`;
}

// JWT-shaped text: header.payload.signature, base64url, header starting {" → eyJ.
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

describe('runDoctor', () => {
  let azure: LocalAzureRedis;
  let dir: string;
  let entraOnlyCaFile: string;
  let base: DoctorInput;

  beforeAll(async () => {
    azure = await startEmulator({ tls: true, entra: { resources: [REDIS_RESOURCE, GRAPH] } });
    // A principal Entra ID knows but the cache's access list does not: as a new app on Azure.
    azure.entra.addApp({ clientId: STRANGER.clientId, secrets: [STRANGER.secret] });
    dir = await mkdtemp(join(tmpdir(), 'authx-doctor-'));
    entraOnlyCaFile = join(dir, 'entra-ca.pem');
    writeFileSync(entraOnlyCaFile, azure.entra.caPem);
    base = {
      clientId: azure.clientId,
      clientSecret: azure.clientSecret,
      authority: azure.authority,
      redisUrl: azure.redisUrl,
      caFile: azure.caPath,
      timeoutMs: 5000,
    };
  });

  afterAll(async () => {
    await azure?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('when everything is right', () => {
    it('passes all six steps and shows the claims, the skew and the refresh plan', async () => {
      const report = await runDoctor(base);
      expect(report.steps.map((step) => [step.id, step.status])).toEqual([
        ['configuration', 'pass'],
        ['token', 'pass'],
        ['clock', 'pass'],
        ['redis', 'pass'],
        ['auth', 'pass'],
        ['ping', 'pass'],
      ]);
      expect(report.ok).toBe(true);
      const token = report.steps[1];
      expect(token.data?.claims).toMatchObject({
        tid: azure.tenantId,
        aud: 'https://redis.azure.com',
        appid: azure.clientId,
      });
      expect(token.detail).toMatch(
        /client-secret via https:\/\/127\.0\.0\.1:\d+\/.* in \d+ ms: oid [0-9a-f-]{36}, appid .*, tid .*, aud https:\/\/redis\.azure\.com, exp /,
      );
      expect(report.steps[2].detail).toMatch(/^skew \d+ s \(limit 120 s\)$/);
      expect(report.steps[3].detail).toMatch(/^TLS to 127\.0\.0\.1:\d+ in \d+ ms$/);
      const plan = report.steps[5].data as {
        earliestRefreshAtMs: number;
        latestRefreshAtMs: number;
        expiresAtMs: number;
        lifetimeMs: number;
      };
      // Default config, a 1-hour token: 0.7 × lifetime (42 min) minus up to 1 min of jitter.
      expect(plan.lifetimeMs).toBeGreaterThan(3_590_000);
      expect(plan.expiresAtMs - plan.latestRefreshAtMs).toBeGreaterThanOrEqual(0.3 * plan.lifetimeMs - 1000);
      expect(plan.latestRefreshAtMs - plan.earliestRefreshAtMs).toBeGreaterThan(59_000);
      expect(report.steps[5].detail).toMatch(/^PONG; token lifetime 60\.0 min, refreshed between/);
    });

    it('never shows the token or the secret, in text or JSON', async () => {
      const report = await runDoctor(base);
      const out = text(report);
      expect(report.ok).toBe(true);
      expect(out).not.toMatch(JWT);
      expect(out).not.toContain(azure.clientSecret);
    });
  });

  describe('a misconfiguration', () => {
    it('names a missing Redis URL, by the option to set', async () => {
      const report = await runDoctor({ ...base, redisUrl: undefined });
      expect(failedStep(report)).toMatchObject({
        id: 'configuration',
        code: 'CONFIG_INVALID_OPTION',
        data: { option: '--redis-url / REDIS_URL' },
      });
      expect(report.steps.slice(1).every((step) => step.status === 'skipped')).toBe(true);
    });

    it('names the environment variable a bad value came from', async () => {
      const report = await runDoctor(
        { ...base, authority: undefined, authorityHost: 'http://127.0.0.1:1', tenantId: azure.tenantId },
        { source: { authorityHost: 'AZURE_AUTHORITY_HOST' } },
      );
      expect(failedStep(report)).toMatchObject({
        id: 'configuration',
        data: { option: 'AZURE_AUTHORITY_HOST' },
      });
      expect(failedStep(report)?.detail).toBe('AZURE_AUTHORITY_HOST: not an https:// URL');
    });

    it('explains a wrong client secret, without showing it', async () => {
      const wrong = 'this-is-the-wrong-secret';
      const report = await runDoctor({ ...base, clientSecret: wrong });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'token', code: 'TOKEN_INVALID_SECRET' });
      expect(step?.cause).toContain('AADSTS7000215');
      expect(step?.fix).toContain("AZURE_CLIENT_SECRET to the secret's Value");
      expect(text(report)).not.toContain(wrong);
    });

    it('explains an unknown tenant', async () => {
      const report = await runDoctor({
        ...base,
        authority: `${azure.authorityHost}/99999999-1111-4111-8111-111111111111`,
      });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'token', code: 'TOKEN_UNKNOWN_TENANT' });
      expect(step?.cause).toContain('does not exist');
      expect(step?.fix).toContain('AZURE_TENANT_ID');
    });

    it('explains an untrusted certificate on the authority', async () => {
      const report = await runDoctor({ ...base, caFile: undefined });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'token', code: 'TOKEN_AUTHORITY_UNTRUSTED_CERTIFICATE' });
      expect(step?.fix).toContain('--ca-file');
    });

    it('explains an untrusted TLS certificate on Redis', async () => {
      const report = await runDoctor({ ...base, caFile: entraOnlyCaFile });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'redis', code: 'REDIS_TLS_UNTRUSTED_CERTIFICATE' });
      expect(step?.detail).toMatch(
        /TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
      );
      expect(step?.fix).toContain('NODE_EXTRA_CA_CERTS');
    });

    it('explains a wrong port, with the ports of the Azure tiers', async () => {
      const port = await findFreePort();
      const report = await runDoctor({ ...base, redisUrl: `rediss://127.0.0.1:${port}` });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'redis', code: 'REDIS_CONNECTION_REFUSED' });
      expect(step?.fix).toContain(
        '6380 (TLS; 6379 non-TLS, off by default), Azure Managed Redis 10000 (TLS)',
      );
    });

    it('explains redis:// against a TLS port', async () => {
      const report = await runDoctor({ ...base, redisUrl: azure.redisUrl.replace('rediss:', 'redis:') });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'redis', code: 'REDIS_PLAINTEXT_REFUSED' });
      expect(step?.fix).toBe(`use rediss://127.0.0.1:${azure.port}`);
    });

    it('explains a principal the cache does not admit, naming the oid to add', async () => {
      const report = await runDoctor({ ...base, clientId: STRANGER.clientId, clientSecret: STRANGER.secret });
      const step = failedStep(report);
      const oid = (report.steps[1].data as { claims: { oid: string } }).claims.oid;
      expect(step).toMatchObject({ id: 'auth', code: 'AUTH_NO_ACCESS_POLICY', data: { oid } });
      expect(step?.detail).toBe(
        `AUTH ${oid} <token> → WRONGPASS invalid username-password pair or user is disabled.`,
      );
      expect(step?.fix).toContain(`--object-id ${oid}`);
      expect(azure.gateway.authLog().at(-1)).toMatchObject({ ok: false, reason: 'no-access-policy' });
      expect(text(report)).not.toContain(STRANGER.secret);
    });

    it('explains a token for the wrong audience (refused by the provider: it never reaches Redis)', async () => {
      const authsBefore = azure.gateway.authLog().length;
      const report = await runDoctor({ ...base, scope: 'https://graph.microsoft.com/.default' });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'token', code: 'TOKEN_WRONG_AUDIENCE' });
      expect(step?.cause).toContain('audience https://graph.microsoft.com, not for Azure Cache for Redis');
      expect(step?.fix).toContain('https://redis.azure.com/.default');
      expect(azure.gateway.authLog().length).toBe(authsBefore);
    });

    it('explains a local clock that is behind', async () => {
      const report = await runDoctor(base, { now: () => Date.now() - 10 * 60_000 });
      const step = failedStep(report);
      expect(step).toMatchObject({ id: 'clock', code: 'CLOCK_BEHIND' });
      expect(step?.detail).toMatch(/^the local clock is (59\d|60\d) s behind the identity provider/);
    });
  });
});
