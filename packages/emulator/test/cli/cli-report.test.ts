import { type LocalAzureRedis, startEmulator } from '../../src';
import { buildCliReport, formatCliReport, shellQuote } from '../../src/local/cli-report';

describe('shellQuote', () => {
  it.each([
    ['/tmp/authx-entra-ca-x/ca.pem', '/tmp/authx-entra-ca-x/ca.pem'],
    ['eyJ.abc-_.sig', 'eyJ.abc-_.sig'],
    ['with space', "'with space'"],
    ["it's", "'it'\\''s'"],
  ])('quotes %j as %s', (input, quoted) => {
    expect(shellQuote(input)).toBe(quoted);
  });
});

describe('formatCliReport', () => {
  let azure: LocalAzureRedis;

  beforeAll(async () => {
    azure = await startEmulator({ tls: true });
  });

  afterAll(async () => {
    await azure.stop();
  });

  it('adds --tls and the CA bundle to the redis-cli line of a TLS gateway', async () => {
    const report = buildCliReport(azure, await azure.issueAccessToken());
    expect(report.redisUrl).toMatch(/^rediss:\/\//);
    expect(report.redisCli).toEqual(expect.arrayContaining(['--tls', '--cacert', azure.caPath]));
    const text = formatCliReport(report);
    expect(text).toContain(`URL            ${azure.redisUrl}`);
    expect(text).toContain(`--tls --cacert ${azure.caPath}`);
    expect(text).toContain(`authx-emulator token --authority ${azure.authority} --ca ${azure.caPath}`);
  });
});
