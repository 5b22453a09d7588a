import diagnosticsChannel from 'node:diagnostics_channel';
import { publishDiagnostics, TypedEventEmitter } from '@authx/token-core';
import type { RedisAuthEventName, RedisAuthEvents } from './events';

/**
 * `node:diagnostics_channel` names, one per binding event; each message is the event's payload,
 * carrying the binding's `events` under token-core's `DIAGNOSTICS_SOURCE` (non-enumerable).
 */
export const REDIS_AUTH_DIAGNOSTICS_CHANNELS: Readonly<Record<RedisAuthEventName, string>> = Object.freeze({
  credentialsUpdated: 'authx:redis-auth:credentials-updated',
  reauthenticated: 'authx:redis-auth:reauthenticated',
  reauthFailed: 'authx:redis-auth:reauth-failed',
  reauthDeferred: 'authx:redis-auth:reauth-deferred',
  pubsubRotated: 'authx:redis-auth:pubsub-rotated',
  providerError: 'authx:redis-auth:provider-error',
  connectionAdded: 'authx:redis-auth:connection-added',
  connectionRemoved: 'authx:redis-auth:connection-removed',
  listenerError: 'authx:redis-auth:listener-error',
  transportRefused: 'authx:redis-auth:transport-refused',
});

const channels = Object.fromEntries(
  Object.entries(REDIS_AUTH_DIAGNOSTICS_CHANNELS).map(([name, channel]) => [
    name,
    diagnosticsChannel.channel(channel),
  ]),
) as Record<RedisAuthEventName, diagnosticsChannel.Channel>;

/** The binding's emitter: every event also goes to its diagnostics channel. */
export class RedisAuthEventEmitter extends TypedEventEmitter<RedisAuthEvents> {
  override emit<K extends RedisAuthEventName>(name: K, payload: RedisAuthEvents[K]): void {
    publishDiagnostics(channels[name], payload, this);
    super.emit(name, payload);
  }
}
