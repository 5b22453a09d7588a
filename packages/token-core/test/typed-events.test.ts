import diagnosticsChannel from 'node:diagnostics_channel';
import {
  createDisposable,
  DIAGNOSTICS_CHANNELS,
  DIAGNOSTICS_SOURCE,
  diagnosticsSourceOf,
  TypedEventEmitter,
} from '../src';
import { TokenCoreEventEmitter } from '../src/diagnostics';

interface Events {
  ping: { n: number };
  pong: { text: string };
}

describe('TypedEventEmitter', () => {
  it('delivers payloads to the listeners of that event only', () => {
    const emitter = new TypedEventEmitter<Events>();
    const pings: number[] = [];
    const pongs: string[] = [];
    emitter.on('ping', ({ n }) => pings.push(n));
    emitter.on('pong', ({ text }) => pongs.push(text));
    emitter.emit('ping', { n: 1 });
    emitter.emit('pong', { text: 'a' });
    expect(pings).toEqual([1]);
    expect(pongs).toEqual(['a']);
  });

  it('removes a listener through its Disposable, idempotently, also with Symbol.dispose', () => {
    const emitter = new TypedEventEmitter<Events>();
    const seen: number[] = [];
    const listener = ({ n }: { n: number }) => seen.push(n);
    const first = emitter.on('ping', listener);
    const second = emitter.on('ping', listener);
    emitter.emit('ping', { n: 1 });
    first.dispose();
    first.dispose();
    emitter.emit('ping', { n: 2 });
    second[Symbol.dispose]();
    emitter.emit('ping', { n: 3 });
    expect(seen).toEqual([1, 1, 2]);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('keeps calling the other listeners when one throws, and reports the error', () => {
    const reported: Array<[unknown, string]> = [];
    const emitter = new TypedEventEmitter<Events>((error, name) => reported.push([error, name]));
    const boom = new Error('listener bug');
    const seen: number[] = [];
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', ({ n }) => seen.push(n));
    emitter.emit('ping', { n: 7 });
    expect(seen).toEqual([7]);
    expect(reported).toEqual([[boom, 'ping']]);
  });

  it('does nothing for an event without listeners, and swallows throws by default', () => {
    const emitter = new TypedEventEmitter<Events>();
    emitter.on('ping', () => {
      throw new Error('ignored');
    });
    expect(() => emitter.emit('ping', { n: 1 })).not.toThrow();
    expect(() => emitter.emit('pong', { text: 'nobody' })).not.toThrow();
  });
});

describe('TokenCoreEventEmitter', () => {
  it("reports a throwing listener as 'listenerError', and ignores one that throws on 'listenerError'", () => {
    const emitter = new TokenCoreEventEmitter();
    const reports: Array<{ error: unknown; source: string }> = [];
    emitter.on('listenerError', (payload) => reports.push(payload));
    emitter.on('listenerError', () => {
      throw new Error('loop?');
    });
    const boom = new Error('bug');
    emitter.on('tokenExpired', () => {
      throw boom;
    });
    emitter.emit('tokenExpired', { expiresAtMs: 1, attempts: 2, error: undefined });
    expect(reports).toEqual([{ error: boom, source: 'event:tokenExpired' }]);
  });

  it('publishes every event on its diagnostics channel', () => {
    const emitter = new TokenCoreEventEmitter();
    const messages: Array<[string, unknown]> = [];
    const subscriptions = Object.values(DIAGNOSTICS_CHANNELS).map((name) => {
      const onMessage = (message: unknown) => messages.push([name, message]);
      diagnosticsChannel.subscribe(name, onMessage);
      return createDisposable(() => diagnosticsChannel.unsubscribe(name, onMessage));
    });
    try {
      const payload = { expiresAtMs: 2, receivedAtMs: 1, refreshAtMs: 1.5, attempt: 1 };
      emitter.emit('tokenAcquired', payload);
      emitter.emit('reAuthenticationFailed', { error: new Error('WRONGPASS') });
      expect(messages).toEqual([
        ['authx:token-core:token-acquired', payload],
        ['authx:token-core:reauthentication-failed', { error: new Error('WRONGPASS') }],
      ]);
    } finally {
      for (const subscription of subscriptions) subscription.dispose();
    }
  });

  it('names one channel per event under authx:token-core:', () => {
    expect(DIAGNOSTICS_CHANNELS).toEqual({
      tokenAcquired: 'authx:token-core:token-acquired',
      tokenUnchanged: 'authx:token-core:token-unchanged',
      refreshFailed: 'authx:token-core:refresh-failed',
      retryScheduled: 'authx:token-core:retry-scheduled',
      recoveryScheduled: 'authx:token-core:recovery-scheduled',
      tokenExpired: 'authx:token-core:token-expired',
      listenerError: 'authx:token-core:listener-error',
      reAuthenticationFailed: 'authx:token-core:reauthentication-failed',
    });
  });
});

describe('diagnostics messages', () => {
  it('carry their emitter, non-enumerable, under DIAGNOSTICS_SOURCE', () => {
    const first = new TokenCoreEventEmitter();
    const second = new TokenCoreEventEmitter();
    const sources: unknown[] = [];
    const onMessage = (message: unknown) => sources.push(diagnosticsSourceOf(message));
    diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.tokenExpired, onMessage);
    try {
      const payload = { expiresAtMs: 1, attempts: 2, error: undefined };
      first.emit('tokenExpired', payload);
      second.emit('tokenExpired', { expiresAtMs: 1, attempts: 2, error: undefined });
      expect(sources).toEqual([first, second]);
      expect(sources[0]).not.toBe(sources[1]);
      expect(Object.keys(payload)).toEqual(['expiresAtMs', 'attempts', 'error']);
      expect((payload as Record<symbol, unknown>)[DIAGNOSTICS_SOURCE]).toBe(first);
      expect(JSON.stringify(payload)).toBe('{"expiresAtMs":1,"attempts":2}');
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.tokenExpired, onMessage);
    }
  });
});
