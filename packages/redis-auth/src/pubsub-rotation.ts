import { raceAbort } from '@authx/token-core';
import { destroyQuietly } from './client-hooks';
import type { ClientShape, PubSubListener, PubSubType } from './redis-shapes';

const TYPES: readonly PubSubType[] = ['CHANNELS', 'PATTERNS', 'SHARDED'];

/** Figures of one make-before-break rotation. */
export interface RotationResult {
  /**
   * Messages the bridge delivered to the subscriber's listeners. Delivery is at-least-once: the
   * ones published in the round trips just before the switch and just after the subscriber
   * resubscribed reach the listeners twice (at most `bridged` of them; usually a handful).
   */
  bridged: number;
}

export interface RotationControl {
  /** Destroys the subscriber's socket and connects it again (its handshake takes the newest credentials). */
  reconnect(): Promise<unknown>;
  /** Aborts the rotation (deadline, owner closed the client, binding stopped). */
  signal: AbortSignal;
  /** Most bridge messages held at once; more aborts the rotation (memory bound). Default 100000. */
  maxBufferedMessages?: number;
}

interface Recorded {
  readonly type: PubSubType;
  readonly key: string;
  readonly message: Buffer;
  readonly channel: Buffer;
}

/**
 * Moves a RESP2 subscriber — which cannot run AUTH while subscribed — onto fresh credentials
 * without losing a message, whatever the payloads (identical ones included). It never compares
 * message contents; it relies only on Redis' ordering (a connection receives its replies and its
 * messages in the order the server produced them):
 *
 * 1. a bridge (`duplicate()`: it handshakes with the newest credentials) subscribes to the same
 *    channels, patterns and shard channels and records what it receives;
 * 2. a PING on the bridge, then a PING on the subscriber: every message the bridge had when its
 *    PING returned was published before the subscriber's PING, so the subscriber has delivered it;
 * 3. the subscriber is destroyed and reconnected at once (same tick: callers never see it closed);
 *    node-redis resubscribes its listeners on the new socket before it is ready. From the break
 *    on, the bridge delivers what it recorded after step 2's mark, and everything it receives;
 * 4. once the subscriber is ready (resubscribed), a last PING on the bridge: everything published
 *    before the subscriber resubscribed has reached the bridge, and was delivered. The bridge leaves.
 *
 * Whatever happens, nothing is lost that either connection received; messages published in the
 * two small windows where both connections were subscribed reach the listeners twice. Aborting
 * before step 3 leaves the subscriber untouched; after it, the subscriber's own reconnect goes on.
 */
export async function rotateSubscriber(
  subscriber: ClientShape,
  control: RotationControl,
): Promise<RotationResult> {
  const { signal } = control;
  const maxBuffered = control.maxBufferedMessages ?? 100_000;
  const result: RotationResult = { bridged: 0 };
  const keys: Array<{ type: PubSubType; key: string }> = [];
  for (const type of TYPES) {
    for (const [key, entry] of subscriber.getPubSubListeners(type)) {
      if (!entry.unsubscribing) keys.push({ type, key });
    }
  }
  throwIfAborted(signal);
  if (keys.length === 0) {
    await control.reconnect();
    return result;
  }

  let buffer: Recorded[] = [];
  let live = false;
  let overflow = false;
  const deliver = (recorded: Recorded) => {
    const entry = subscriber.getPubSubListeners(recorded.type).get(recorded.key);
    if (!entry) return;
    result.bridged++;
    for (const listener of entry.buffers) listener(recorded.message, recorded.channel);
    if (entry.strings.size === 0) return;
    const message = recorded.message.toString();
    const channel = recorded.channel.toString();
    for (const listener of entry.strings) listener(message, channel);
  };

  // The bridge must not retry a refused login forever: the rotation has its own retry.
  const bridge = subscriber.duplicate({
    socket: { ...(subscriber.options as { socket?: object } | undefined)?.socket, reconnectStrategy: false },
  });
  bridge.on('error', () => {
    // Bridge failures surface through the awaited steps below.
  });
  const abortBridge = () => destroyQuietly(bridge);
  signal.addEventListener('abort', abortBridge, { once: true });
  try {
    await abortable(bridge.connect(), signal);
    await abortable(
      Promise.all(
        keys.map(({ type, key }) => {
          const record: PubSubListener = (message, channel) => {
            if (live) {
              deliver({ type, key, message, channel });
              return;
            }
            if (buffer.length >= maxBuffered) {
              overflow = true;
              destroyQuietly(bridge);
              return;
            }
            buffer.push({ type, key, message, channel });
          };
          // Issued together so they are pipelined in one write.
          if (type === 'CHANNELS') return bridge.SUBSCRIBE(key, record, true);
          if (type === 'PATTERNS') return bridge.PSUBSCRIBE(key, record, true);
          return bridge.SSUBSCRIBE(key, record, true);
        }),
      ),
      signal,
    );
    await abortable(bridge.sendCommand(['PING']), signal);
    const mark = buffer.length;
    await abortable(subscriber.sendCommand(['PING']), signal);
    if (overflow) throw new Error(`the bridge received more than ${maxBuffered} messages before the switch`);
    throwIfAborted(signal);

    // Break. Everything recorded before the mark was delivered by the subscriber itself.
    const reconnected = control.reconnect();
    const pending = buffer.slice(mark);
    buffer = [];
    live = true;
    for (const recorded of pending) deliver(recorded);
    await abortable(reconnected, signal);
    // The subscriber is resubscribed; one round trip on the bridge covers what was published before.
    await abortable(bridge.sendCommand(['PING']), signal);
    return result;
  } finally {
    live = false;
    signal.removeEventListener('abort', abortBridge);
    destroyQuietly(bridge);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('rotation aborted');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  throwIfAborted(signal);
  return raceAbort(promise, signal, (reason) =>
    reason instanceof Error ? reason : new Error('rotation aborted'),
  );
}
