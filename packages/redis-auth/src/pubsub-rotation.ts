import { overlapLength, type ReceivedMessage, resumePoint } from './overlap';
import type { ClientShape, PubSubListener, PubSubType } from './redis-shapes';

const TYPES: readonly PubSubType[] = ['CHANNELS', 'PATTERNS', 'SHARDED'];

/** Figures of one make-before-break rotation. */
export interface RotationResult {
  bridged: number;
  duplicatesDropped: number;
  duplicatesDelivered: number;
}

interface KeyStreams {
  readonly type: PubSubType;
  readonly key: string;
  /** What the subscriber delivered before it was taken down (from the moment its tap was installed). */
  readonly before: ReceivedMessage[];
  /** What the bridge received, from its SUBSCRIBE on. */
  readonly bridge: ReceivedMessage[];
  /** What the subscriber delivered after it resubscribed. */
  readonly after: ReceivedMessage[];
  readonly tap: PubSubListener;
  /**
   * How many first bridge messages the subscriber delivered itself before it went down; unknown
   * until the bridge has received its first message (it may lag behind the subscriber).
   */
  skip: number | undefined;
  /** Bridge messages up to this index are handled (skipped or delivered). */
  handled: number;
}

type Phase = 'recording' | 'live' | 'holding';

/**
 * Moves a RESP2 subscriber — which cannot run AUTH while subscribed — onto fresh credentials
 * without losing a message:
 *
 * 1. taps the subscriber's channels (records what it delivers, delivery itself is untouched);
 * 2. a bridge (`duplicate()`, so it handshakes with the newest credentials) subscribes to the same
 *    channels and patterns, recording;
 * 3. after a PING round trip on the subscriber (so nothing published before the bridge subscribed
 *    is still in flight to it), the subscriber is destroyed and reconnected at once (same tick, so callers never see it
 *    closed); its reconnect handshake uses the newest credentials and node-redis resubscribes
 *    its listeners. Meanwhile the bridge delivers what the subscriber misses, starting where the
 *    subscriber's own stream ended (overlap dropped);
 * 4. once resubscribed (or once the subscriber delivers a key again), the bridge holds; after a PING on the bridge then on the subscriber, the
 *    point where the subscriber's new stream begins is known exactly: bridge messages before it
 *    not yet delivered are delivered, later ones dropped (counted);
 * 5. the taps are removed and the bridge leaves.
 *
 * `reconnect` performs step 3's destroy + connect so the caller can suppress its own
 * end/ready handling.
 */
export async function rotateSubscriber(
  subscriber: ClientShape,
  reconnect: () => Promise<unknown>,
  onBridgeError: (error: unknown) => void,
): Promise<RotationResult> {
  const streams: KeyStreams[] = [];
  let subscriberPhase: 'before' | 'after' = 'before';
  let bridgePhase: Phase = 'recording';
  const result: RotationResult = { bridged: 0, duplicatesDropped: 0, duplicatesDelivered: 0 };

  // Delivers the bridge messages the subscriber has not: after its own stream ended, in order.
  const flush = (stream: KeyStreams) => {
    if (stream.skip === undefined) {
      stream.skip = overlapLength(stream.before, stream.bridge);
      if (stream.skip === undefined) return;
      result.duplicatesDropped += Math.min(stream.skip, stream.bridge.length);
    } else if (stream.handled < stream.skip) {
      result.duplicatesDropped += Math.min(stream.skip, stream.bridge.length) - stream.handled;
    }
    for (let i = Math.max(stream.handled, stream.skip); i < stream.bridge.length; i++) {
      deliver(stream, stream.bridge[i] as ReceivedMessage);
    }
    stream.handled = Math.max(stream.handled, stream.bridge.length);
  };

  const deliver = (stream: KeyStreams, received: ReceivedMessage) => {
    const entry = subscriber.getPubSubListeners(stream.type).get(stream.key);
    if (!entry) return;
    result.bridged++;
    for (const listener of entry.buffers) {
      if (listener !== stream.tap) listener(received.message, received.channel);
    }
    if (entry.strings.size === 0) return;
    const message = received.message.toString();
    const channel = received.channel.toString();
    for (const listener of entry.strings) listener(message, channel);
  };

  for (const type of TYPES) {
    for (const [key, entry] of subscriber.getPubSubListeners(type)) {
      if (entry.unsubscribing) continue;
      const stream: KeyStreams = {
        type,
        key,
        before: [],
        bridge: [],
        after: [],
        tap: (message, channel) => {
          (subscriberPhase === 'before' ? stream.before : stream.after).push({ message, channel });
        },
        skip: undefined,
        handled: 0,
      };
      streams.push(stream);
    }
  }
  if (streams.length === 0) {
    await reconnect();
    return result;
  }

  // Adds each tap to the existing listener set: no SUBSCRIBE is sent for a key already subscribed.
  await Promise.all(
    streams.map((stream) =>
      subscriber.extendPubSubListeners(
        stream.type,
        new Map([[stream.key, { unsubscribing: false, buffers: new Set([stream.tap]), strings: new Set() }]]),
      ),
    ),
  );

  const bridge = subscriber.duplicate();
  bridge.on('error', onBridgeError);
  try {
    await bridge.connect();
    await Promise.all(
      streams.map((stream) => {
        const record: PubSubListener = (message, channel) => {
          stream.bridge.push({ message, channel });
          // Once the resubscribed subscriber delivers this key again, the bridge only holds.
          if (bridgePhase === 'live' && stream.after.length === 0) flush(stream);
        };
        // Issued together so they are pipelined in one write.
        if (stream.type === 'CHANNELS') return bridge.SUBSCRIBE(stream.key, record, true);
        if (stream.type === 'PATTERNS') return bridge.PSUBSCRIBE(stream.key, record, true);
        return bridge.SSUBSCRIBE(stream.key, record, true);
      }),
    );

    // A PING answered on the subscriber after the bridge subscribed: whatever was published
    // before the bridge's SUBSCRIBE has reached the subscriber (still in flight otherwise, and
    // lost with its socket).
    await subscriber.sendCommand(['PING']);

    // Break: from here the subscriber delivers nothing until it has resubscribed.
    const reconnected = reconnect();
    subscriberPhase = 'after';
    for (const stream of streams) flush(stream);
    bridgePhase = 'live';
    await reconnected;
    bridgePhase = 'holding';

    // A PING answered on the bridge, then one on the subscriber: every message the bridge got was
    // published before the subscriber's PING, so the subscriber's new stream covers the bridge's tail.
    await bridge.sendCommand(['PING']);
    await subscriber.sendCommand(['PING']);
    for (const stream of streams) {
      if (stream.skip === undefined) stream.skip = overlapLength(stream.before, stream.bridge) ?? 0;
      const from = Math.max(stream.handled, stream.skip);
      const resumeAt = resumePoint(stream.bridge, stream.after, stream.skip);
      if (resumeAt > from) {
        for (let i = from; i < resumeAt; i++) deliver(stream, stream.bridge[i] as ReceivedMessage);
      } else {
        result.duplicatesDelivered += Math.max(0, stream.handled - Math.max(resumeAt, stream.skip));
      }
      result.duplicatesDropped += stream.bridge.length - Math.max(resumeAt, from);
    }
    return result;
  } finally {
    for (const stream of streams) removeTap(subscriber, stream);
    bridge.destroy();
  }
}

function removeTap(subscriber: ClientShape, stream: KeyStreams): void {
  const entry = subscriber.getPubSubListeners(stream.type).get(stream.key);
  if (!entry?.buffers.has(stream.tap)) return;
  // Through node-redis so an emptied set unsubscribes properly (the owner may have left meanwhile).
  const done =
    stream.type === 'CHANNELS'
      ? subscriber.UNSUBSCRIBE(stream.key, stream.tap, true)
      : stream.type === 'PATTERNS'
        ? subscriber.PUNSUBSCRIBE(stream.key, stream.tap, true)
        : subscriber.SUNSUBSCRIBE(stream.key, stream.tap, true);
  done?.catch(() => {});
}
