import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', 'fixtures');
const HARNESS_MARKER = '// --- test harness, not part of the README ---';

/** The ```typescript blocks of the @redis/entraid 6.1.0 README (a verbatim copy). */
function readmeBlocks(): string[] {
  const readme = readFileSync(join(FIXTURES, 'seed-readme.md'), 'utf8');
  return [...readme.matchAll(/```typescript\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function blockContaining(text: string): string[] {
  const block = readmeBlocks().find((b) => b.includes(text));
  if (!block) throw new Error(`no README block contains ${text}`);
  return block.trimEnd().split('\n');
}

/** Lines of the fixture before the harness that are not in the README block, in order. */
function extraLines(fixture: string, readmeLines: string[]): string[] {
  const code = readFileSync(join(FIXTURES, fixture), 'utf8').split(HARNESS_MARKER)[0].trimEnd().split('\n');
  const wanted = readmeLines.map((line) => line.replace("'@redis/entraid'", "'@authx/entraid'"));
  const extras: string[] = [];
  let next = 0;
  for (const line of code) {
    if (next < wanted.length && line === wanted[next]) next++;
    else extras.push(line);
  }
  expect(next).toBe(wanted.length); // every README line, in order, verbatim
  return extras.filter((line) => !line.startsWith('//'));
}

describe('seed README fixtures', () => {
  it('service principal: the README block with only the import changed', () => {
    expect(
      extraLines(
        'seed-readme-service-principal.ts',
        blockContaining('createForClientCredentials({\n  clientId'),
      ),
    ).toEqual([]);
  });

  it.each([
    ['seed-readme-system-assigned-managed-identity.ts', 'createForSystemAssignedManagedIdentity'],
    ['seed-readme-user-assigned-managed-identity.ts', 'createForUserAssignedManagedIdentity'],
  ])('%s: the README block plus the import it leaves implicit', (fixture, method) => {
    expect(extraLines(fixture, blockContaining(method))).toEqual([
      "import { EntraIdCredentialsProviderFactory } from '@authx/entraid';",
      '',
    ]);
  });

  it('retry configuration: the README block with "... other config ..." filled in', () => {
    expect(extraLines('seed-readme-retry.ts', blockContaining('maxAttempts: 3'))).toEqual([
      "import { EntraIdCredentialsProviderFactory } from '@authx/entraid';",
      '',
      "  clientId: 'your-client-id',",
      "  clientSecret: 'your-client-secret',",
      '  authorityConfig: {',
      "    type: 'multi-tenant',",
      "    tenantId: 'your-tenant-id'",
      '  },',
    ]);
  });
});
