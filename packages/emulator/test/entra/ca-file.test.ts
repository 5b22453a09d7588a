import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { DEFAULT_CLIENT_SECRET, type EntraEmulator, startEntraEmulator } from '../../src';

const run = promisify(execFile);

// What a user does without our network client: MSAL's default fetch client trusts the emulator
// only through NODE_EXTRA_CA_CERTS, which Node reads at process start, hence a child process.
const SCRIPT = `
const { ConfidentialClientApplication } = require('@azure/msal-node');
const [authority, host, clientId, clientSecret] = process.argv.slice(1);
new ConfidentialClientApplication({ auth: { clientId, clientSecret, authority, knownAuthorities: [host] } })
  .acquireTokenByClientCredential({ scopes: ['https://redis.azure.com/.default'] })
  .then((result) => console.log(result.accessToken.split('.').length));
`;

describe('Entra emulator › CA file', () => {
  let emulator: EntraEmulator;

  beforeAll(async () => {
    emulator = await startEntraEmulator();
  });
  afterAll(() => emulator.stop());

  it('writes the CA to caPath, which NODE_EXTRA_CA_CERTS makes MSAL’s default client trust', async () => {
    expect(readFileSync(emulator.caPath, 'utf8')).toBe(emulator.caPem);
    const { auth } = emulator.msalConfig();
    const { stdout } = await run(
      process.execPath,
      ['-e', SCRIPT, auth.authority, auth.knownAuthorities[0]!, auth.clientId, DEFAULT_CLIENT_SECRET],
      {
        cwd: `${__dirname}/../..`,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caPath },
        timeout: 20_000,
      },
    );
    expect(stdout.trim()).toBe('3');
  });

  it('removes the CA file on stop', async () => {
    const other = await startEntraEmulator();
    await other.stop();
    expect(() => readFileSync(other.caPath)).toThrow(/ENOENT/);
  });
});
