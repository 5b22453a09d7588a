import {
  type CredentialsSourceState,
  type CredentialsStatus,
  CredentialsUnavailableError,
  computeBindingHealth,
  RefreshFailedError,
  type StreamingProvider,
} from '../../src';

const bare: StreamingProvider = {
  type: 'streaming-credentials-provider',
  subscribe: async () => [{ password: 'p' }, { dispose() {} }],
  onReAuthenticationError() {},
};

const ready = { isOpen: true, state: 'ready' } as const;

describe('computeBindingHealth', () => {
  it('uses the provider’s own status() when it has one', () => {
    const status: CredentialsStatus = {
      state: 'retrying',
      usable: true,
      expiresAtMs: 5000,
      refreshAtMs: 3000,
      nextAttemptAtMs: 4000,
      failedAttempts: 2,
      lastError: { code: 'ENTRA_SERVER_UNAVAILABLE', atMs: 3500 },
    };
    const health = computeBindingHealth(
      { ...bare, status: () => status } as StreamingProvider,
      { kind: 'valid', generation: 1, expiresAtMs: 5000 },
      [ready],
    );
    expect(health).toEqual({
      ready: true,
      credentials: { ...status, source: 'provider' },
      binding: 'valid',
      connections: { total: 1, open: 1, authenticated: 1 },
    });
  });

  it.each<[string, CredentialsSourceState, Partial<ReturnType<typeof computeBindingHealth>['credentials']>]>([
    ['idle', { kind: 'idle' }, { state: 'idle', usable: false }],
    ['subscribing', { kind: 'subscribing' }, { state: 'refreshing', usable: true }],
    [
      'valid',
      { kind: 'valid', generation: 3, expiresAtMs: 9000 },
      { state: 'valid', usable: true, expiresAtMs: 9000 },
    ],
    [
      'recovering with valid credentials',
      {
        kind: 'recovering',
        step: 1,
        retryAtMs: 100,
        usable: true,
        error: new CredentialsUnavailableError('no credentials within 5000 ms'),
      },
      { state: 'retrying', usable: true, nextAttemptAtMs: 100, failedAttempts: 1 },
    ],
    [
      'recovering after expiry',
      {
        kind: 'recovering',
        step: 2,
        retryAtMs: 200,
        usable: false,
        error: new CredentialsUnavailableError('no credentials within 5000 ms'),
      },
      { state: 'expired', usable: false, failedAttempts: 2 },
    ],
    [
      'recovering from a permanent error',
      {
        kind: 'recovering',
        step: 1,
        retryAtMs: undefined,
        usable: false,
        error: new RefreshFailedError({ reason: 'permanent-error', attempts: 1, lastError: new Error('x') }),
      },
      { state: 'failed', usable: false },
    ],
  ])(
    'derives the credentials’ state from the binding when the provider has no status(): %s',
    (_, binding, expected) => {
      const health = computeBindingHealth(bare, binding, []);
      expect(health.credentials).toMatchObject({ ...expected, source: 'binding' });
      expect(health.binding).toBe(binding.kind);
    },
  );

  it('is ready only when every open connection is authenticated; closed ones do not count', () => {
    const valid: CredentialsSourceState = { kind: 'valid', generation: 1, expiresAtMs: undefined };
    const connections = [
      ready,
      { isOpen: true, state: 'authenticating' },
      { isOpen: false, state: 'closed' },
    ] as const;
    expect(computeBindingHealth(bare, valid, connections)).toMatchObject({
      ready: true,
      connections: { total: 3, open: 2, authenticated: 2 },
    });
    expect(
      computeBindingHealth(bare, valid, [...connections, { isOpen: true, state: 'rejected' }]),
    ).toMatchObject({
      ready: false,
      connections: { total: 4, open: 3, authenticated: 2 },
    });
  });
});
