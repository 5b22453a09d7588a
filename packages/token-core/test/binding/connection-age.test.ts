import { ConnectionAge, type ConnectionState, systemClock } from '../../src';
import { advance, useFakeTime } from '../support/fake-time';

beforeEach(useFakeTime);
afterEach(() => {
  jest.useRealTimers();
});

const handshaking: ConnectionState = { kind: 'handshaking', served: 1, previous: undefined };
const ready = (generation: number | undefined): ConnectionState => ({
  kind: 'ready',
  generation,
  failures: 0,
});
const authenticating: ConnectionState = {
  kind: 'authenticating',
  generation: 1,
  target: 2,
  failures: 0,
  superseded: false,
};

describe('ConnectionAge', () => {
  it('fires maxAgeMs after the last authentication, and each authentication restarts the count', async () => {
    const due: number[] = [];
    const age = new ConnectionAge(systemClock, 1000, () => due.push(Date.now()));
    age.onTransition(handshaking, ready(1)); // authenticated at 0
    await advance(600);
    age.onTransition(authenticating, ready(2)); // again at 600
    await advance(900);
    expect(due).toEqual([]);
    await advance(100);
    expect(due).toHaveLength(1);
    age.clear();
  });

  it('does not count transitions that are not an authentication taking effect', async () => {
    const due: number[] = [];
    const age = new ConnectionAge(systemClock, 1000, () => due.push(Date.now()));
    age.onTransition(ready(1), ready(undefined)); // identity reset: not an authentication
    age.onTransition(handshaking, ready(undefined)); // handshake without known credentials
    await advance(2000);
    expect(due).toEqual([]);
  });

  it('stops counting when the connection closes or tracking stops', async () => {
    const due: number[] = [];
    const age = new ConnectionAge(systemClock, 1000, () => due.push(Date.now()));
    age.onTransition(handshaking, ready(1));
    age.onTransition(ready(1), { kind: 'closed', generation: 1 });
    await advance(2000);
    age.onTransition(handshaking, ready(1));
    age.onTransition(ready(1), { kind: 'stopped' } as ConnectionState);
    await advance(2000);
    expect(due).toEqual([]);
  });
});
