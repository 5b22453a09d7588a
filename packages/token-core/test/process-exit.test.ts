import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');
const dist = join(packageDir, 'dist', 'index.js');

/** Runs `script` in a fresh `node -e` and resolves with its exit code and output; kills it after `timeoutMs`. */
function runNode(
  script: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout });
    });
  });
}

const preamble = `
const { StreamingCredentialsProvider } = require(${JSON.stringify(dist)});
const provider = new StreamingCredentialsProvider({
  identityProvider: { requestToken: async () => ({ token: 'secret', ttlMs: 3_600_000 }) },
  credentialsMapper: (token) => ({ username: 'app', password: token.value }),
});
`;

describe('a process using the built package with the system clock', () => {
  beforeAll(() => {
    // The test is about the published artefact; build it when a plain `jest` run finds none.
    if (!existsSync(dist)) execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
  });

  it('exits on its own while a subscription is still live (timers are unref’d)', async () => {
    const result = await runNode(
      `${preamble}
provider.subscribe({ onNext() {}, onError() {} }).then(([credentials]) => {
  console.log('subscribed', credentials.username, provider.tokenManager.isRunning());
});`,
      15_000,
    );
    expect(result).toEqual({ code: 0, signal: null, stdout: 'subscribed app true\n' });
  });

  it('exits on its own after the last subscription is disposed', async () => {
    const result = await runNode(
      `${preamble}
provider.subscribe({ onNext() {}, onError() {} }).then(([, subscription]) => {
  subscription.dispose();
  console.log('disposed', provider.tokenManager.isRunning());
});`,
      15_000,
    );
    expect(result).toEqual({ code: 0, signal: null, stdout: 'disposed false\n' });
  });
});
