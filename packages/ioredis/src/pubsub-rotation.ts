import { randomUUID } from 'node:crypto';
import { raceAbort } from '@authx/token-core';
import type { RedisShape, SubscriptionType } from './ioredis-shapes';

/** Figures of one make-before-break rotation. */
export interface RotationResult {
  /** Messages the bridge delivered to the subscriber's listeners (each exactly once). */
  bridged: number;
}

export interface RotationControl {
  /** Drops the subscriber's socket and resolves once it is ready again (its handshake takes the newest credentials). */
  reconnect(): Promise<unknown>;
  /** A new connection with the subscriber's options (and so the newest credentials); never bound. */
  duplicate(overrides: object): RedisShape;
  /** Aborts the rotation (deadline, owner closed the client, binding stopped). */
  signal: AbortSignal;
  /** Most messages held at once; more aborts the rotation (memory bound). Default 100000. */
  maxBufferedMessages?: number;
}

const TYPES: readonly SubscriptionType[] = ['subscribe', 'psubscribe', 'ssubscribe'];

/** What one message event of ioredis is about: `[subscription type, channel or pattern, channel]`. */
function classify(event: string, args: readonly unknown[]): [SubscriptionType, string, string] | undefined {
  switch (event) {
    case 'message':
    case 'messageBuffer':
      return ['subscribe', String(args[0]), String(args[0])];
    case 'pmessage':
    case 'pmessageBuffer':
      return ['psubscribe', String(args[0]), String(args[1])];
    case 'smessage':
    case 'smessageBuffer':
      return ['ssubscribe', String(args[0]), String(args[0])];
    default:
      return undefined;
  }
}

interface Recorded {
  readonly type: SubscriptionType;
  readonly pattern: string | undefined;
  readonly channel: Buffer;
  readonly message: Buffer;
}

/**
 * Moves a RESP2 subscriber — which cannot run AUTH while subscribed — onto fresh credentials
 * without losing a message and without delivering one twice, whatever the payloads. It never
 * compares message contents: it cuts both connections' streams at the same point of the server's
 * order with a marker published on a private channel (`__authx:pubsub-rotation:<uuid>`; a PUBLISH
 * reaches every subscriber in the same order relative to every other PUBLISH):
 *
 * 1. a bridge (a duplicate: it handshakes with the newest credentials) subscribes to the same
 *    channels, patterns and shard channels, and to the marker channel; the subscriber subscribes
 *    to the marker channel too;
 * 2. marker 1 is published (by a short-lived third connection: neither subscriber may publish).
 *    What the subscriber received before it, the subscriber delivered; from it on, the bridge
 *    delivers (holding what it gets until the subscriber has reached the marker, so the order is
 *    kept) and the subscriber's own copies are dropped;
 * 3. the subscriber's socket is dropped and reconnected at once; ioredis resubscribes it (marker
 *    channel included) before it is used again;
 * 4. marker 2 is published: up to it the bridge delivers, after it the subscriber again (holding
 *    what it gets until the bridge has reached marker 2). The subscriber leaves the marker
 *    channel; the bridge and the third connection close.
 *
 * The marker's messages never reach the application's listeners. Aborting before step 3 leaves
 * the subscriber as it was; after it, the subscriber's own reconnect goes on.
 */
export async function rotateSubscriber(
  subscriber: RedisShape,
  control: RotationControl,
): Promise<RotationResult> {
  const { signal } = control;
  const maxBuffered = control.maxBufferedMessages ?? 100_000;
  const result: RotationResult = { bridged: 0 };
  const set = subscriber.condition?.subscriber;
  const covered = new Map<SubscriptionType, Set<string>>();
  for (const type of TYPES) covered.set(type, new Set(set ? set.channels(type) : []));
  throwIfAborted(signal);
  if (TYPES.every((type) => covered.get(type)?.size === 0)) {
    await control.reconnect();
    return result;
  }

  // With only shard channels the marker is a shard channel in the same slot (its hash tag is one
  // of them): leaving an ordinary marker channel would bring the UNSUBSCRIBE count — which counts
  // no shard channel — to 0, and ioredis would think the connection left subscriber mode.
  const shardOnly = covered.get('subscribe')?.size === 0 && covered.get('psubscribe')?.size === 0;
  const firstShard = [...(covered.get('ssubscribe') ?? [])][0] ?? '';
  const marker = shardOnly
    ? `__authx:pubsub-rotation:${randomUUID()}{${hashTag(firstShard)}}`
    : `__authx:pubsub-rotation:${randomUUID()}`;
  const markerEvent = shardOnly ? 'smessageBuffer' : 'messageBuffer';
  // Where each connection is relative to the two markers: 0 before marker 1, 1 between, 2 after.
  let subscriberAt = 0;
  let bridgeAt = 0;
  const fromBridge: Recorded[] = [];
  const fromSubscriber: Array<[string, unknown[]]> = [];
  const reached = {
    subscriber1: deferred(),
    bridge1: deferred(),
    subscriber2: deferred(),
    bridge2: deferred(),
  };

  const self = subscriber as RedisShape & { emit: RedisShape['emit'] };
  const hadOwnEmit = Object.hasOwn(self, 'emit');
  const ownEmit = hadOwnEmit ? self.emit : undefined;
  const originalEmit = self.emit;
  const emit = (event: string, ...args: unknown[]) => originalEmit.call(self, event, ...args);
  const deliver = (recorded: Recorded) => {
    result.bridged++;
    const { channel, message, pattern } = recorded;
    if (recorded.type === 'subscribe') {
      if (self.listeners('message').length > 0) emit('message', channel.toString(), message.toString());
      emit('messageBuffer', channel, message);
    } else if (recorded.type === 'psubscribe') {
      if (self.listeners('pmessage').length > 0)
        emit('pmessage', pattern, channel.toString(), message.toString());
      emit('pmessageBuffer', pattern, channel, message);
    } else {
      if (self.listeners('smessage').length > 0) emit('smessage', channel.toString(), message.toString());
      emit('smessageBuffer', channel, message);
    }
  };
  const flushFromBridge = () => {
    for (const recorded of fromBridge.splice(0)) deliver(recorded);
  };
  const flushFromSubscriber = () => {
    for (const [event, args] of fromSubscriber.splice(0)) emit(event, ...args);
  };
  const overflow = () => {
    if (fromBridge.length + fromSubscriber.length < maxBuffered) return false;
    failure ??= new Error(`more than ${maxBuffered} messages held during the rotation`);
    abortWith(failure);
    return true;
  };
  let failure: Error | undefined;
  const internal = new AbortController();
  const abortWith = (reason: unknown) => internal.abort(reason);
  const onAbort = () => abortWith(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });

  // The gate on the subscriber's own deliveries (an own property shadows EventEmitter#emit).
  self.emit = function emitThroughGate(this: unknown, event: string, ...args: unknown[]): boolean {
    const what = classify(event, args);
    if (what === undefined) return originalEmit.call(this, event, ...args);
    const [type, key, channel] = what;
    if (channel === marker) {
      if (event === markerEvent) {
        const step = String(args[1]);
        if (step === '1' && subscriberAt === 0) {
          subscriberAt = 1;
          flushFromBridge();
          reached.subscriber1.resolve();
        } else if (step === '2' && subscriberAt === 1) {
          subscriberAt = 2;
          reached.subscriber2.resolve();
        }
      }
      return true;
    }
    if (subscriberAt === 0 || !covered.get(type)?.has(key)) return originalEmit.call(this, event, ...args);
    // Between the markers the bridge delivers these.
    if (subscriberAt === 1) return true;
    if (bridgeAt === 2) return originalEmit.call(this, event, ...args);
    if (!overflow()) fromSubscriber.push([event, args]);
    return true;
  };

  const record = (recorded: Recorded) => {
    if (bridgeAt !== 1) return;
    if (subscriberAt >= 1) deliver(recorded);
    else if (!overflow()) fromBridge.push(recorded);
  };
  const bridgeOptions = {
    lazyConnect: true,
    retryStrategy: null,
    autoResubscribe: false,
    enableOfflineQueue: true,
    enableReadyCheck: false,
  };
  const bridge = control.duplicate(bridgeOptions);
  const herald = control.duplicate(bridgeOptions);
  for (const connection of [bridge, herald]) connection.on('error', () => {});
  const onBridgeMarker = (message: Buffer) => {
    const step = message.toString();
    if (step === '1' && bridgeAt === 0) {
      bridgeAt = 1;
      reached.bridge1.resolve();
    } else if (step === '2' && bridgeAt === 1) {
      bridgeAt = 2;
      flushFromSubscriber();
      reached.bridge2.resolve();
    }
  };
  bridge.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    if (channel.toString() === marker) onBridgeMarker(message);
    else record({ type: 'subscribe', pattern: undefined, channel, message });
  });
  bridge.on('pmessageBuffer', (pattern: string, channel: Buffer, message: Buffer) => {
    if (channel.toString() !== marker) record({ type: 'psubscribe', pattern, channel, message });
  });
  bridge.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
    if (channel.toString() === marker) onBridgeMarker(message);
    else record({ type: 'ssubscribe', pattern: undefined, channel, message });
  });
  const closeHelpers = () => {
    for (const connection of [bridge, herald]) {
      try {
        connection.disconnect();
      } catch {
        // Already closed.
      }
    }
  };
  internal.signal.addEventListener('abort', closeHelpers, { once: true });

  const step = <T>(promise: Promise<T>) => abortable(promise, internal.signal);
  let subscribedToMarker = false;
  try {
    await step(bridge.connect());
    const channels = [...(covered.get('subscribe') ?? [])];
    if (!shardOnly) channels.push(marker);
    const subscriptions: Array<Promise<unknown>> = [herald.connect()];
    if (channels.length > 0) subscriptions.push(bridge.subscribe(...channels));
    const patterns = [...(covered.get('psubscribe') ?? [])];
    if (patterns.length > 0) subscriptions.push(bridge.psubscribe(...patterns));
    for (const channel of covered.get('ssubscribe') ?? []) subscriptions.push(bridge.ssubscribe(channel));
    if (shardOnly) subscriptions.push(bridge.ssubscribe(marker));
    await step(Promise.all(subscriptions));
    subscribedToMarker = true;
    await step(shardOnly ? subscriber.ssubscribe(marker) : subscriber.subscribe(marker));
    const publishMarker = (n: string) => (shardOnly ? herald.spublish(marker, n) : herald.publish(marker, n));
    await step(publishMarker('1'));
    await step(Promise.all([reached.subscriber1.promise, reached.bridge1.promise]));

    // Break: the subscriber's copies are dropped from marker 1 on; the bridge delivers.
    await step(control.reconnect());
    // Answered after the resubscriptions ioredis wrote when the socket became ready.
    await step(subscriber.ping());
    await step(publishMarker('2'));
    await step(Promise.all([reached.subscriber2.promise, reached.bridge2.promise]));
    return result;
  } catch (error) {
    throw failure ?? error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Whatever is still held goes to the listeners (only on a failed rotation can anything be).
    flushFromBridge();
    flushFromSubscriber();
    if (hadOwnEmit) self.emit = ownEmit as RedisShape['emit'];
    else delete (self as { emit?: unknown }).emit;
    closeHelpers();
    if (subscribedToMarker && subscriber.status === 'ready') {
      (shardOnly ? subscriber.sunsubscribe(marker) : subscriber.unsubscribe(marker)).catch(() => {});
    }
  }
}

/** The part of a channel name Redis hashes to find its slot: the first non-empty `{…}`, else all of it. */
function hashTag(channel: string): string {
  const open = channel.indexOf('{');
  if (open === -1) return channel;
  const close = channel.indexOf('}', open + 1);
  return close > open + 1 ? channel.slice(open + 1, close) : channel;
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
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
