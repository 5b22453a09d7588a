import { spawn } from 'node:child_process';
import path from 'node:path';
import { type RedisServer, startRedisServer } from '@authx/emulator';
import type { BasicAuth } from '@authx/token-core';
import { createClient } from 'redis';
import {
  bindCredentials,
  type CredentialsListener,
  type RedisAuthEvents,
  type StreamingProvider,
} from '../../src';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { waitFor } from '../support/wait-for';

/** A provider driven by the test: `next` decides what each subscribe() does. */
class ScriptedProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  readonly listeners = new Set<CredentialsListener>();
  subscribes = 0;
  next: () => BasicAuth | Promise<BasicAuth> = () => ({ username: 'app', password: 'pw1' });
  subscribe(listener: CredentialsListener): Promise<[BasicAuth, { dispose(): void }]> {
    this.subscribes++;
    const credentials = this.next(); // may throw synchronously
    this.listeners.add(listener);
    return Promise.resolve(credentials).then((c) => [c, { dispose: () => this.listeners.delete(listener) }]);
  }
  onReAuthenticationError(): void {}
  push(credentials: BasicAuth): void {
    for (const l of [...this.listeners]) l.onNext(credentials);
  }
}

describe('self-healing › edge cases', () => {
  let redis: RedisServer;
  let gw: TestGateway;
  beforeAll(async () => {
    redis = await startRedisServer({ args: ['--user', 'app', 'on', '>pw1', '>pw2', '~*', '&*', '+@all'] });
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await redis.stop();
    await gw.stop();
  });

  it('works with credentials that carry no expiry (a plain password) and re-authenticates on change', async () => {
    const provider = new ScriptedProvider();
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    const auth = bindCredentials(client, provider);
    await client.connect();
    expect(auth.credentialsState).toMatchObject({ kind: 'valid', expiresAtMs: undefined });
    provider.push({ username: 'app', password: 'pw2' });
    await waitFor(() => auth.connections()[0]?.generation === 2, 'AUTH with pw2');
    expect(await client.ping()).toBe('PONG');
    client.destroy();
    auth.dispose();
  });

  it('never sends credentials whose exp is already past: treats them as a failure and recovers', async () => {
    const provider = new ScriptedProvider();
    const expired = await gw.signer.sign('oid-test-app', -5000);
    let call = 0;
    provider.next = async () => {
      call++;
      return {
        username: 'oid-test-app',
        password: call === 1 ? expired : await gw.signer.sign('oid-test-app', 60_000),
      };
    };
    const errors: RedisAuthEvents['providerError'][] = [];
    const client = createClient({ url: gw.url });
    client.on('error', () => {});
    const auth = bindCredentials(client, provider, { recovery: { initialDelayMs: 100 } });
    auth.events.on('providerError', (e) => errors.push(e));
    const expiredBefore = gw.gateway.stats().authFailedByReason.expired ?? 0;
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(errors[0]?.error.message).toMatch(/already expired/);
    expect((gw.gateway.stats().authFailedByReason.expired ?? 0) - expiredBefore).toBe(0);
    client.destroy();
    auth.dispose();
  });

  it('survives a provider whose subscribe() throws synchronously', async () => {
    const provider = new ScriptedProvider();
    let call = 0;
    provider.next = () => {
      if (++call === 1) throw new Error('subscribe blew up');
      return { username: 'app', password: 'pw1' };
    };
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    const auth = bindCredentials(client, provider, { recovery: { initialDelayMs: 100 } });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(provider.subscribes).toBe(2);
    client.destroy();
    auth.dispose();
  });

  it('keeps working when an event listener throws, reporting it as listenerError', async () => {
    const provider = new ScriptedProvider();
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    const auth = bindCredentials(client, provider);
    const listenerErrors: RedisAuthEvents['listenerError'][] = [];
    auth.events.on('listenerError', (e) => listenerErrors.push(e));
    auth.events.on('reauthenticated', () => {
      throw new Error('listener bug');
    });
    await client.connect();
    provider.push({ username: 'app', password: 'pw2' });
    await waitFor(() => listenerErrors.length > 0, 'listenerError');
    expect(listenerErrors[0]?.event).toBe('reauthenticated');
    expect(await client.ping()).toBe('PONG');
    expect(auth.connections()[0]?.generation).toBe(2);
    client.destroy();
    auth.dispose();
  });

  it('leaves nothing running: a process that closed its last bound client exits by itself', async () => {
    const output: string[] = [];
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures/close-and-exit.cjs')], {
      env: { ...process.env, REDIS_URL: redis.url, REDIS_PASSWORD: 'pw1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(output.join('')).toMatch(/value=ok calls=3/);
    expect(output.join('')).toMatch(/closed subscribed=false subscribers=0/);
    expect(code).toBe(0);
  });
});
