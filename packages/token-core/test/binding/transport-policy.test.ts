import { inspect } from 'node:util';
import {
  BindingErrorCode,
  checkDestination,
  compileAllowedHosts,
  HostNotAllowedError,
  InsecureTransportError,
  InvalidOptionError,
  isLoopbackHost,
} from '../../src';

const strict = { allowInsecureTransport: false, allowedHosts: undefined };

describe('transport policy', () => {
  describe('isLoopbackHost', () => {
    it.each([
      '127.0.0.1',
      '127.1.2.3',
      '127.255.255.254',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      'localhost',
      'LOCALHOST.',
      'LocalHost',
      undefined,
    ])('treats %p as loopback', (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    });

    it.each([
      '128.0.0.1',
      '10.0.0.1',
      '127.0.0.256',
      '::2',
      '::ffff:10.0.0.1',
      'cache.example.test',
      'localhost.example.test',
      'my-localhost',
      '127.0.0.1.nip.io',
      '',
    ])('treats %p as a network host', (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    });
  });

  describe('checkDestination', () => {
    it('accepts TLS to any host, loopback plaintext and a Unix socket', () => {
      expect(checkDestination({ host: 'cache.example.test', tls: true }, strict).ok).toBe(true);
      expect(checkDestination({ host: '127.0.0.1', tls: false }, strict).ok).toBe(true);
      expect(checkDestination({ path: '/tmp/redis.sock', tls: false }, strict).ok).toBe(true);
    });

    it('refuses plaintext to a non-loopback name, naming the host and the fix', () => {
      const verdict = checkDestination(
        { host: 'cache.example.test', port: 6379, tls: false },
        strict,
        'client#1',
      );
      expect(verdict.ok).toBe(false);
      const error = (verdict as { error: InsecureTransportError }).error;
      expect(error).toBeInstanceOf(InsecureTransportError);
      expect(error.code).toBe(BindingErrorCode.INSECURE_TRANSPORT);
      expect(error.isRetryable).toBe(false);
      expect(error.host).toBe('cache.example.test');
      expect(error.message).toContain('cache.example.test:6379');
      expect(error.message).toContain('client#1');
      expect(error.message).toContain('rediss://');
      expect(error.message).toContain('6380');
      expect(error.message).toContain('10000');
      expect(error.message).toContain('allowInsecureTransport');
    });

    it('lets the opt-out through and says so', () => {
      const verdict = checkDestination(
        { host: 'cache.example.test', tls: false },
        { allowInsecureTransport: true, allowedHosts: undefined },
      );
      expect(verdict).toEqual({ ok: true, insecureAllowed: true });
    });

    it('refuses a host outside allowedHosts even over TLS or loopback', () => {
      const policy = {
        allowInsecureTransport: false,
        allowedHosts: compileAllowedHosts('allowedHosts', ['*.redis.azure.net']),
      };
      const tls = checkDestination({ host: 'evil.example.test', tls: true }, policy, 'client#2');
      expect(tls.ok).toBe(false);
      const error = (tls as { error: HostNotAllowedError }).error;
      expect(error).toBeInstanceOf(HostNotAllowedError);
      expect(error.code).toBe(BindingErrorCode.HOST_NOT_ALLOWED);
      expect(error.message).toContain('evil.example.test');
      expect(error.message).toContain('allowedHosts');
      expect(checkDestination({ host: '127.0.0.1', tls: false }, policy).ok).toBe(false);
      expect(checkDestination({ host: 'a.redis.azure.net', tls: true }, policy).ok).toBe(true);
    });

    it('never shows more than host and reason in util.inspect', () => {
      const verdict = checkDestination({ host: 'cache.example.test', tls: false }, strict);
      const text = inspect((verdict as { error: Error }).error);
      expect(text).toContain('cache.example.test');
      expect(text).not.toMatch(/password|eyJ/);
    });
  });

  describe('compileAllowedHosts', () => {
    const matcher = compileAllowedHosts('allowedHosts', [
      '*.redis.cache.windows.net',
      '*.redis.azure.net',
      'My-Private-Link.example.',
      '10.1.2.3',
      '::1',
    ])!;

    it.each([
      'a.redis.cache.windows.net',
      'A.B.REDIS.CACHE.WINDOWS.NET',
      'x.redis.azure.net.',
      'my-private-link.example',
      '10.1.2.3',
      '[::1]',
    ])('matches %p', (host) => {
      expect(matcher.matches(host)).toBe(true);
    });

    it.each([
      'redis.cache.windows.net',
      'aredis.cache.windows.net',
      'a.redis.cache.windows.net.evil.test',
      'other.example',
      'sub.my-private-link.example',
      '10.1.2.4',
    ])('does not match %p', (host) => {
      expect(matcher.matches(host)).toBe(false);
    });

    it('leaves an absent option unset', () => {
      expect(compileAllowedHosts('allowedHosts', undefined)).toBeUndefined();
    });

    it.each([
      ['a string', 'host.example'],
      ['an empty array', []],
      ['a non-string entry', [42]],
      ['a bare wildcard', ['*']],
      ['a wildcard on a single label', ['*.net']],
      ['a wildcard in the middle', ['a.*.example.net']],
      ['a partial-label wildcard', ['*cache.example.net']],
      ['an invalid label', ['bad_host!.example']],
      ['an empty entry', ['']],
    ])('refuses %s, naming the option', (_what, value) => {
      let error: unknown;
      try {
        compileAllowedHosts('allowedHosts', value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toMatch(/^allowedHosts/);
    });
  });
});
