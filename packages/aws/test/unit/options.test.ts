import { InvalidOptionError } from '@authx/token-core';
import { createElastiCacheIamProvider, createMemoryDbIamProvider } from '../../src';

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'secret-never-printed-1234567890',
});
const valid = { cacheName: 'orders', userId: 'app-user', region: 'us-east-1', credentials };

function optionError(create: () => unknown): InvalidOptionError {
  try {
    create();
  } catch (error) {
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('createElastiCacheIamProvider / createMemoryDbIamProvider options', () => {
  it('accepts valid options, for each partition of region codes', () => {
    for (const region of [
      'us-east-1',
      'eu-west-2',
      'us-gov-west-1',
      'cn-north-1',
      'ap-southeast-5',
      'us-isob-east-1',
    ]) {
      createElastiCacheIamProvider({ ...valid, region }).dispose();
    }
    createElastiCacheIamProvider({ ...valid, serverless: true, expiresInSeconds: 60 }).dispose();
    createMemoryDbIamProvider({
      clusterName: 'orders-db',
      userId: 'app',
      region: 'eu-west-1',
      credentials,
    }).dispose();
  });

  it.each([
    ['cacheName', { cacheName: 'Orders' }],
    ['cacheName', { cacheName: '' }],
    ['cacheName', { cacheName: 'orders-' }],
    ['cacheName', { cacheName: undefined }],
    ['region', { region: 'us-east' }],
    ['region', { region: 'US-EAST-1' }],
    ['region', { region: 'useast1' }],
    ['userId', { userId: 'app user' }],
    ['userId', { userId: '' }],
    ['credentials', { credentials: { accessKeyId: 'AKID', secretAccessKey: 'do-not-echo-this-secret' } }],
    ['expiresInSeconds', { expiresInSeconds: 901 }],
    ['expiresInSeconds', { expiresInSeconds: 0.5 }],
    ['serverless', { serverless: 'yes' }],
  ])('names %s when it is invalid (%o)', (option, change) => {
    const error = optionError(() =>
      createElastiCacheIamProvider({ ...valid, ...(change as object) } as never),
    );
    expect(error.option).toBe(option);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).not.toContain('do-not-echo-this-secret');
  });

  it('names clusterName for MemoryDB', () => {
    const error = optionError(() =>
      createMemoryDbIamProvider({ clusterName: 'Orders', userId: 'app', region: 'us-east-1', credentials }),
    );
    expect(error.option).toBe('clusterName');
    expect(error.message).toContain('lower case');
  });

  it('passes tokenManagerConfig to token-core, which names a bad value', () => {
    const error = optionError(() =>
      createElastiCacheIamProvider({ ...valid, tokenManagerConfig: { expirationRefreshRatio: 2 } }),
    );
    expect(error.option).toBe('expirationRefreshRatio');
  });
});
