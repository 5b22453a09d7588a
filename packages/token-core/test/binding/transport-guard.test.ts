import {
  INSECURE_TRANSPORT_WARNING_CODE,
  InsecureTransportError,
  resolveTransportPolicy,
  TransportGuard,
} from '../../src';

describe('TransportGuard', () => {
  let warnings: Array<[unknown, unknown]>;
  let spy: jest.SpyInstance;
  beforeEach(() => {
    warnings = [];
    spy = jest.spyOn(process, 'emitWarning').mockImplementation(((warning: unknown, options: unknown) => {
      warnings.push([warning, options]);
    }) as never);
  });
  afterEach(() => spy.mockRestore());

  it('reports and throws a refusal, naming the connection and the host', () => {
    const refused: string[] = [];
    const guard = new TransportGuard(resolveTransportPolicy({}), 'A binding', (connection, host) =>
      refused.push(`${connection} ${host}`),
    );
    expect(guard.allows({ host: 'cache.example', tls: false })).toBe(false);
    expect(refused).toEqual([]);
    expect(() => guard.check({ host: 'cache.example', tls: false }, 'client#1')).toThrow(
      InsecureTransportError,
    );
    expect(refused).toEqual(['client#1 cache.example']);
    expect(() => guard.check({ host: 'cache.example', tls: true }, 'client#1')).not.toThrow();
    expect(warnings).toEqual([]);
  });

  it('warns exactly once per guard when allowInsecureTransport lets plaintext through', () => {
    const guard = new TransportGuard(
      resolveTransportPolicy({ allowInsecureTransport: true }),
      'The binding "orders"',
      () => {},
    );
    for (let i = 0; i < 5; i++) guard.check({ host: `node-${i}.example`, tls: false }, `c#${i}`);
    guard.check({ host: 'localhost', tls: false }, 'local');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0][0])).toMatch(
      /^The binding "orders" sends tokens over plaintext .*node-0\.example/,
    );
    expect(warnings[0][1]).toEqual({ type: 'SecurityWarning', code: INSECURE_TRANSPORT_WARNING_CODE });
  });

  it.each([
    ['allowInsecureTransport', { allowInsecureTransport: 1 }],
    ['allowedHosts', { allowedHosts: [] }],
  ])('resolveTransportPolicy refuses a bad %s, naming it', (option, options) => {
    expect(() => resolveTransportPolicy(options as never)).toThrow(expect.objectContaining({ option }));
  });
});
