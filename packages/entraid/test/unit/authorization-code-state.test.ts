import { type Clock, InvalidOptionError } from '@authx/token-core';
import { EntraIdCredentialsProviderFactory as Factory } from '../../src';
import {
  DEFAULT_MAX_PENDING_STATES,
  DEFAULT_STATE_TTL_MS,
  PendingStates,
} from '../../src/flows/pending-states';

const tenant = { type: 'multi-tenant' as const, tenantId: '11111111-2222-3333-4444-555555555555' };

/** A clock whose time only moves when the test says so. */
class ManualClock implements Clock {
  nowMs = 1_700_000_000_000;
  now(): number {
    return this.nowMs;
  }
  setTimeout(): unknown {
    throw new Error('not used');
  }
  clearTimeout(): void {}
}

function rejectedOption(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as InvalidOptionError).option;
  }
  return undefined;
}

describe('createForAuthorizationCodeWithPKCE state check', () => {
  function createFlow(extra: { stateTtlMs?: number; maxPendingStates?: number } = {}) {
    const clock = new ManualClock();
    const flow = Factory.createForAuthorizationCodeWithPKCE({
      clientId: 'app',
      redirectUri: 'http://localhost:3000/cb',
      authorityConfig: tenant,
      clock,
      ...extra,
    });
    return { flow, clock };
  }

  async function issue(flow: ReturnType<typeof createFlow>['flow'], state: string): Promise<string> {
    const codes = await flow.getPKCECodes();
    const url = new URL(await flow.getAuthCodeUrl({ ...codes, state }));
    return url.searchParams.get('state') ?? '';
  }

  function redeem(flow: ReturnType<typeof createFlow>['flow'], state: string) {
    return rejectedOption(() => flow.createCredentialsProvider({ code: 'c', verifier: 'v', state }));
  }

  it('sends the state unchanged and accepts one that contains "|"', async () => {
    const { flow } = createFlow();
    const sent = await issue(flow, 'tenant-a|return=/home');
    expect(sent).toBe('tenant-a|return=/home');
    expect(redeem(flow, sent)).toBeUndefined();
  });

  it('refuses a state that only ends with an issued one', async () => {
    const { flow } = createFlow();
    await issue(flow, 'state-1');
    expect(redeem(flow, 'forged|state-1')).toBe('state');
    expect(redeem(flow, 'state-1')).toBeUndefined();
  });

  it('refuses a state older than stateTtlMs', async () => {
    const { flow, clock } = createFlow({ stateTtlMs: 60_000 });
    await issue(flow, 'fresh');
    await issue(flow, 'stale');
    clock.nowMs += 59_999;
    expect(redeem(flow, 'fresh')).toBeUndefined();
    clock.nowMs += 1;
    expect(redeem(flow, 'stale')).toBe('state');
  });

  it('forgets the oldest state beyond maxPendingStates', async () => {
    const { flow } = createFlow({ maxPendingStates: 2 });
    await issue(flow, 'first');
    await issue(flow, 'second');
    await issue(flow, 'third');
    expect(redeem(flow, 'first')).toBe('state');
    expect(redeem(flow, 'second')).toBeUndefined();
    expect(redeem(flow, 'third')).toBeUndefined();
  });

  it.each([
    ['stateTtlMs', { stateTtlMs: 0 }],
    ['stateTtlMs', { stateTtlMs: '600000' }],
    ['maxPendingStates', { maxPendingStates: 0 }],
    ['maxPendingStates', { maxPendingStates: 1.5 }],
  ])('names %s when it is invalid', (option, extra) => {
    expect(rejectedOption(() => createFlow(extra as never))).toBe(option);
  });
});

describe('PendingStates', () => {
  function create(ttlMs = 1000, maxEntries = 3) {
    let nowMs = 0;
    const states = new PendingStates({ ttlMs, maxEntries, nowMs: () => nowMs });
    return {
      states,
      advance: (ms: number) => {
        nowMs += ms;
      },
    };
  }

  it('documents its defaults: 15 minutes, 1000 states', () => {
    expect(DEFAULT_STATE_TTL_MS).toBe(900_000);
    expect(DEFAULT_MAX_PENDING_STATES).toBe(1000);
  });

  it('accepts a state once', () => {
    const { states } = create();
    states.add('a');
    expect(states.take('a')).toBe(true);
    expect(states.take('a')).toBe(false);
  });

  it('never holds more than maxEntries states, however many are issued', () => {
    const { states } = create(1000, 3);
    for (let i = 0; i < 10_000; i++) states.add(`s${i}`);
    expect(states.size).toBe(3);
    expect(states.take('s9996')).toBe(false);
    expect(states.take('s9997')).toBe(true);
  });

  it('drops expired states when the next one is issued', () => {
    const { states, advance } = create(1000, 100);
    states.add('a');
    states.add('b');
    advance(1000);
    states.add('c');
    expect(states.size).toBe(1);
  });

  it('refuses an expired state even when the clock stepped back in between', () => {
    const { states, advance } = create(1000, 100);
    states.add('fresh');
    advance(-5000);
    states.add('issued-before-the-step');
    advance(5500);
    // 'fresh' is 500 ms old, the other 5500 ms although it was added after 'fresh'.
    expect(states.take('issued-before-the-step')).toBe(false);
    expect(states.take('fresh')).toBe(true);
  });

  it('restarts the time of a re-issued state', () => {
    const { states, advance } = create(1000, 100);
    states.add('a');
    advance(900);
    states.add('a');
    advance(900);
    expect(states.take('a')).toBe(true);
  });
});
