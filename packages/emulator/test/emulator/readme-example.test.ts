import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE_DIR = join(__dirname, '..', '..');

/**
 * The first TypeScript block of the README, with its imports resolved from this package (so it
 * can run from a temporary file) and this package imported from source.
 */
function readmeExample(): string {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  return code.replace(/from '([^']+)'/g, (_match, specifier: string) => {
    const path =
      specifier === '@authx/emulator'
        ? join(PACKAGE_DIR, 'src', 'index.ts')
        : require.resolve(specifier, { paths: [PACKAGE_DIR] });
    return `from ${JSON.stringify(path)}`;
  });
}

function runTypeScript(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'authx-readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: PACKAGE_DIR });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('exit', (exitCode) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: exitCode, stdout, stderr });
    });
  });
}

describe('README', () => {
  it('opens with an example that runs as written (MSAL token → node-redis through the gateway)', async () => {
    const result = await runTypeScript(readmeExample());
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('hello from Entra ID\n1\n');
    expect(result.code).toBe(0);
  });
});
