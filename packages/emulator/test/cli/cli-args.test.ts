import { CliUsageError, parseCliArgs } from '../../src/local/cli-args';

describe('parseCliArgs', () => {
  describe('start', () => {
    it('starts with no options when no flags are given', () => {
      expect(parseCliArgs([])).toEqual({
        command: 'start',
        options: { tls: false, cluster: false },
        json: false,
      });
    });

    it('maps every flag to its startEmulator option', () => {
      const args = [
        ...['--port', '6380', '--entra-port', '8443', '--mi-port', '8080', '--redis-port', '7000'],
        ...['--token-lifetime', '2.5', '--grace', '0', '--tls', '--json'],
      ];
      expect(parseCliArgs(args)).toEqual({
        command: 'start',
        options: {
          port: 6380,
          entraPort: 8443,
          managedIdentityPort: 8080,
          redisPort: 7000,
          tokenLifetimeSec: 2.5,
          graceMs: 0,
          tls: true,
          cluster: false,
        },
        json: true,
      });
    });

    it('accepts --cluster', () => {
      expect(parseCliArgs(['--cluster'])).toMatchObject({ options: { cluster: true } });
    });

    it.each([
      [['--port', '65536'], '--port must be a port number 0–65535'],
      [['--port=-1'], '--port must be a port number'],
      [['--mi-port', 'http'], '--mi-port must be a port number'],
      [['--token-lifetime', '0'], '--token-lifetime must be a number of seconds > 0'],
      [['--token-lifetime', '1e3'], '--token-lifetime must be a number of seconds > 0'],
      [['--grace=-5'], '--grace must be a number of milliseconds >= 0'],
      [['--cluster', '--port', '7000'], '--port and --redis-port cannot be used with --cluster'],
      [['--nope'], "Unknown option '--nope'"],
      [['--port'], "Option '--port <value>' argument missing"],
      [['extra'], 'Unexpected argument'],
    ])('rejects %j naming the flag', (args, message) => {
      expect(() => parseCliArgs(args)).toThrow(CliUsageError);
      expect(() => parseCliArgs(args)).toThrow(message);
    });
  });

  describe('token', () => {
    const authority = 'https://127.0.0.1:8443/11111111-1111-4111-8111-111111111111';

    it('reads the authority and CA of the running emulator', () => {
      expect(
        parseCliArgs(['token', '--authority', `${authority}/`, '--ca', '/tmp/ca.pem', '--json']),
      ).toEqual({
        command: 'token',
        authority,
        caPath: '/tmp/ca.pem',
        clientId: undefined,
        clientSecret: undefined,
        scope: undefined,
        json: true,
      });
    });

    it.each([
      [['token', '--ca', '/tmp/ca.pem'], 'token needs --authority'],
      [['token', '--authority', 'http://127.0.0.1:1/t', '--ca', 'x'], 'token needs --authority https://'],
      [['token', '--authority', authority], 'token needs --ca FILE'],
    ])('rejects %j naming what is missing', (args, message) => {
      expect(() => parseCliArgs(args)).toThrow(message);
    });
  });

  it('returns help for --help and -h, also after token', () => {
    for (const args of [['--help'], ['-h'], ['token', '--help']]) {
      expect(parseCliArgs(args)).toEqual({ command: 'help' });
    }
  });
});
