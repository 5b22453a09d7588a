import { type ConnectionEvent, type ConnectionState, nextConnectionState } from '../../src';

const sync = (
  target: number | undefined,
  flags: { tx?: boolean; resp2?: boolean; keep?: boolean } = {},
): ConnectionEvent => ({
  type: 'sync',
  target,
  transactionOpen: flags.tx ?? false,
  subscribedResp2: flags.resp2 ?? false,
  ...(flags.keep === undefined ? {} : { keepSubscriberCredentials: flags.keep }),
});

const closed = (generation?: number): ConnectionState => ({ kind: 'closed', generation });
const ready = (generation: number | undefined, failures = 0): ConnectionState => ({
  kind: 'ready',
  generation,
  failures,
});
const authenticating = (generation: number | undefined, target: number, failures = 0, superseded = false) =>
  ({ kind: 'authenticating', generation, target, failures, superseded }) as const;
const rotating = (generation: number | undefined, target: number, failures = 0) =>
  ({ kind: 'rotating', generation, target, failures }) as const;
const deferred = (generation: number | undefined, target: number, failures = 0) =>
  ({ kind: 'deferred', generation, target, failures }) as const;
const backoff = (generation: number | undefined, target: number, failures: number) =>
  ({ kind: 'backoff', generation, target, failures }) as const;
const rejected = (generation: number | undefined, target: number) =>
  ({ kind: 'rejected', generation, target }) as const;
const handshaking = (served: number | undefined, previous: number | undefined) =>
  ({ kind: 'handshaking', served, previous }) as const;

// Every row: state, event → next state. One table is the specification of the lifecycle.
const rows: Array<[string, ConnectionState, ConnectionEvent, ConnectionState]> = [
  [
    'a socket connects: handshake, remembering what the server had',
    ready(2),
    { type: 'connect' },
    handshaking(undefined, 2),
  ],
  [
    'the handshake records what it was handed',
    handshaking(undefined, 2),
    { type: 'handshake-served', generation: 3 },
    handshaking(3, 2),
  ],
  ['ready: the server holds what the handshake used', handshaking(3, 2), { type: 'ready' }, ready(3)],
  ['ready without a seen handshake: generation unknown', closed(), { type: 'ready' }, ready(undefined)],
  ['served outside a handshake is ignored', ready(2), { type: 'handshake-served', generation: 5 }, ready(2)],
  ['a drop keeps what the server had', authenticating(2, 3), { type: 'disconnected' }, closed(2)],
  ['a drop mid-handshake keeps what it was served', handshaking(4, 3), { type: 'disconnected' }, closed(4)],
  ['sync to the generation it has: nothing to do', ready(3), sync(3), ready(3)],
  ['sync without valid credentials: nothing to do', ready(3), sync(undefined), ready(3)],
  ['sync to newer credentials: AUTH', ready(3), sync(4), authenticating(3, 4)],
  ['sync of a connection of unknown identity: AUTH', ready(undefined), sync(4), authenticating(undefined, 4)],
  ['transaction open: deferred', ready(3), sync(4, { tx: true }), deferred(3, 4)],
  ['transaction closed: AUTH', deferred(3, 4), sync(4), authenticating(3, 4)],
  [
    'still in the transaction: unchanged (same object)',
    deferred(3, 4),
    sync(4, { tx: true }),
    deferred(3, 4),
  ],
  ['RESP2 subscriber: make-before-break rotation', ready(3), sync(4, { resp2: true }), rotating(3, 4)],
  [
    'RESP2 subscriber on a service where connections outlive credentials: keeps them (same object)',
    ready(3),
    sync(4, { resp2: true, keep: true }),
    ready(3),
  ],
  [
    'RESP2 subscriber whose credentials are unknown (age limit, RESET): rotated even there',
    ready(undefined),
    sync(4, { resp2: true, keep: true }),
    rotating(undefined, 4),
  ],
  [
    'RESP2 subscriber after a failed rotation, where connections outlive credentials: stays, no retry',
    backoff(3, 4, 2),
    sync(5, { resp2: true, keep: true }),
    ready(3),
  ],
  [
    'keepSubscriberCredentials changes nothing for a connection that can AUTH',
    ready(3),
    sync(4, { keep: true }),
    authenticating(3, 4),
  ],
  ['sync while authenticating waits for the reply', authenticating(3, 4), sync(5), authenticating(3, 4)],
  ['sync while rotating waits for the rotation', rotating(3, 4), sync(5), rotating(3, 4)],
  ['sync while closed: the reconnect handshake takes the newest', closed(3), sync(5), closed(3)],
  [
    'sync while handshaking: the handshake takes the newest',
    handshaking(undefined, 3),
    sync(5),
    handshaking(undefined, 3),
  ],
  ['AUTH accepted', authenticating(3, 4), { type: 'auth-succeeded', generation: 4 }, ready(4)],
  [
    'AUTH accepted but a RESET followed it: identity unknown',
    authenticating(3, 4, 0, true),
    { type: 'auth-succeeded', generation: 4 },
    ready(undefined),
  ],
  [
    'rotation done: the server holds what the new handshake used',
    rotating(3, 4),
    { type: 'auth-succeeded', generation: 5 },
    ready(5),
  ],
  [
    'AUTH failed transiently: backoff, counting',
    authenticating(3, 4, 1),
    { type: 'auth-failed', refused: false },
    backoff(3, 4, 2),
  ],
  [
    'rotation failed transiently: backoff',
    rotating(3, 4),
    { type: 'auth-failed', refused: false },
    backoff(3, 4, 1),
  ],
  [
    'AUTH refused (WRONGPASS/NOPERM): wait for new credentials',
    authenticating(3, 4),
    { type: 'auth-failed', refused: true },
    rejected(3, 4),
  ],
  ['refused credentials are not tried again', rejected(3, 4), sync(4), rejected(3, 4)],
  ['newer credentials after a refusal: AUTH', rejected(3, 4), sync(5), authenticating(3, 5)],
  ['backoff holds for the same target', backoff(3, 4, 2), sync(4), backoff(3, 4, 2)],
  ['newer credentials end a backoff at once', backoff(3, 4, 2), sync(5), authenticating(3, 5)],
  ['backoff over: ready to try again, failures kept', backoff(3, 4, 2), { type: 'retry-due' }, ready(3, 2)],
  ['the retry keeps counting failures', ready(3, 2), sync(4), authenticating(3, 4, 2)],
  ['RESET on a ready connection: identity unknown', ready(4), { type: 'identity-reset' }, ready(undefined)],
  [
    'RESET after an AUTH in flight: it will not stick',
    authenticating(3, 4),
    { type: 'identity-reset' },
    authenticating(3, 4, 0, true),
  ],
  [
    'RESET clears a refusal (it is default now)',
    rejected(3, 4),
    { type: 'identity-reset' },
    ready(undefined),
  ],
  [
    'late AUTH reply after a drop is ignored',
    closed(3),
    { type: 'auth-succeeded', generation: 4 },
    closed(3),
  ],
  ['late failure after a drop is ignored', closed(3), { type: 'auth-failed', refused: false }, closed(3)],
  ['stop from anywhere', rotating(3, 4), { type: 'stop' }, { kind: 'stopped' }],
  ['nothing leaves stopped', { kind: 'stopped' }, { type: 'connect' }, { kind: 'stopped' }],
];

describe('nextConnectionState', () => {
  it.each(rows)('%s', (_name, state, event, expected) => {
    expect(nextConnectionState(state, event)).toEqual(expected);
  });

  it('returns the same object when nothing changes, so a runner can compare by identity', () => {
    for (const [, state, event, expected] of rows) {
      if (JSON.stringify(state) === JSON.stringify(expected)) {
        expect(nextConnectionState(state, event)).toBe(state);
      }
    }
  });
});
