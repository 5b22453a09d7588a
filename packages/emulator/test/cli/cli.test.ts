import { createServer, type Server } from 'node:net';
import { createClient } from 'redis';
import { DEFAULT_CLIENT_SECRET } from '../../src';
import type { CliReport } from '../../src/local/cli-report';
import { processExists } from '../emulator/support/probes';
import { CliProcess, run } from './support/cli-process';

describe('authx-emulator CLI', () => {
  let cli: CliProcess | undefined;

  afterEach(async () => {
    await cli?.kill();
    cli = undefined;
  });

  async function startJson(args: string[] = []): Promise<CliReport> {
    cli = CliProcess.start(['--json', ...args]);
    const stdout = await cli.waitForOutput((text) => text.includes('\n'));
    return JSON.parse(stdout) as CliReport;
  }

  describe('as a new user runs it', () => {
    it('prints a Redis URL and a redis-cli line that works, and stops redis-server with exit 0 on SIGINT', async () => {
      cli = CliProcess.start([]);
      const stdout = await cli.waitForOutput((text) => text.includes('A fresh token'));
      const url = /URL +(redis:\/\/127\.0\.0\.1:(\d+))/.exec(stdout)!;
      for (const label of ['authority', 'tenant id', 'client id', 'client secret', 'CA file']) {
        expect(stdout).toMatch(new RegExp(`\\n  ${label} +\\S+`));
      }
      expect(stdout).toMatch(/export IDENTITY_ENDPOINT=http:\/\/127\.0\.0\.1:\d+\/msi\/token\n/);
      expect(stdout).toMatch(/export IDENTITY_HEADER=\S+\n/);
      expect(stdout).toMatch(/export AZURE_POD_IDENTITY_AUTHORITY_HOST=http:\/\/127\.0\.0\.1:\d+\n/);
      expect(stdout).toMatch(/export NODE_EXTRA_CA_CERTS=\S+/);

      const redisCliLine = stdout.split('\n').find((line) => line.trimStart().startsWith('redis-cli'))!;
      expect(redisCliLine).toContain(`-p ${url[2]} --user `);
      const { stdout: pong } = await run('sh', ['-c', redisCliLine]);
      expect(pong.trim()).toBe('PONG');

      const [pid] = await cli.redisServerChildren();
      expect(processExists(pid!)).toBe(true);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(processExists(pid!)).toBe(false);
      expect(cli.stderr).toContain('stopped');
    });

    it('gives machine-readable output with --json that redis-cli, node-redis and `token` work with; SIGTERM exits 0', async () => {
      const report = await startJson();
      expect(report.redisUrl).toBe(`redis://127.0.0.1:${report.port}`);
      expect(report.clientSecret).toBe(DEFAULT_CLIENT_SECRET);

      const [, ...redisCliArgs] = report.redisCli;
      const { stdout: set } = await run('redis-cli', [...redisCliArgs, 'SET', 'from-cli', 'yes']);
      expect(set.trim()).toBe('OK');

      const client = createClient({
        url: report.redisUrl,
        username: report.username,
        password: report.accessToken,
      });
      await client.connect();
      try {
        expect(await client.get('from-cli')).toBe('yes');
      } finally {
        client.destroy();
      }

      const [, ...tokenArgs] = report.tokenCommand;
      const token = CliProcess.start(tokenArgs);
      expect(await token.exited).toEqual({ code: 0, signal: null });
      const fresh = token.stdout.trim();
      expect(fresh).not.toBe(report.accessToken);
      const { stdout: get } = await run(
        'redis-cli',
        ['-p', String(report.port), '--user', report.username, 'GET', 'from-cli'],
        { env: { ...process.env, REDISCLI_AUTH: fresh } },
      );
      expect(get.trim()).toBe('yes');

      cli!.child.kill('SIGTERM');
      expect(await cli!.exited).toEqual({ code: 0, signal: null });
      for (const pid of report.redisServerPids) expect(processExists(pid)).toBe(false);
    });

    it('applies --token-lifetime to the printed token', async () => {
      const report = await startJson(['--token-lifetime', '120']);
      const lifetimeSec = report.expiresOnSec - Math.floor(Date.now() / 1000);
      expect(lifetimeSec).toBeGreaterThan(100);
      expect(lifetimeSec).toBeLessThanOrEqual(121);
      cli!.child.kill('SIGINT');
      expect(await cli!.exited).toEqual({ code: 0, signal: null });
    });
  });

  describe('when it cannot start', () => {
    it('says how to install redis-server when it is missing, exits 1 and prints no secret', async () => {
      cli = CliProcess.start([], { REDIS_SERVER_BIN: '/nonexistent/redis-server' });
      expect(await cli.exited).toEqual({ code: 1, signal: null });
      expect(cli.stderr).toMatch(
        /redis-server was not found.*apt-get install redis-server.*REDIS_SERVER_BIN/s,
      );
      expect(cli.stdout).toBe('');
      expect(cli.stderr).not.toContain(DEFAULT_CLIENT_SECRET);
    });

    it.each(['--port', '--entra-port'])(
      'names the port and %s when the port is taken, and exits 1',
      async (flag) => {
        const server: Server = createServer();
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const port = (server.address() as { port: number }).port;
        try {
          cli = CliProcess.start([flag, String(port)]);
          expect(await cli.exited).toEqual({ code: 1, signal: null });
          expect(cli.stderr).toContain(`port ${port} is already in use (${flag})`);
          expect(cli.stderr).not.toContain(DEFAULT_CLIENT_SECRET);
        } finally {
          server.close();
        }
      },
    );

    it.each([
      [['--token-lifetime', 'soon'], '--token-lifetime must be a number of seconds > 0'],
      [['--bogus'], "Unknown option '--bogus'"],
    ])('rejects %j with exit 2 and a message naming the flag', async (args, message) => {
      cli = CliProcess.start(args);
      expect(await cli.exited).toEqual({ code: 2, signal: null });
      expect(cli.stderr).toContain(message);
      expect(cli.stderr).toContain('--help');
    });
  });

  it('prints the usage with --help and exits 0', async () => {
    cli = CliProcess.start(['--help']);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout).toContain('Usage: authx-emulator');
  });
});
