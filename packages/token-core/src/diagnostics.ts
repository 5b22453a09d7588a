import diagnosticsChannel from 'node:diagnostics_channel';
import type { TokenCoreEventName, TokenCoreEvents } from './events';
import { TypedEventEmitter } from './typed-events';

/** `node:diagnostics_channel` names, one per event; each message is the event's payload. */
export const DIAGNOSTICS_CHANNELS: Readonly<Record<TokenCoreEventName, string>> = Object.freeze({
  tokenAcquired: 'authx:token-core:token-acquired',
  tokenUnchanged: 'authx:token-core:token-unchanged',
  refreshFailed: 'authx:token-core:refresh-failed',
  retryScheduled: 'authx:token-core:retry-scheduled',
  recoveryScheduled: 'authx:token-core:recovery-scheduled',
  tokenExpired: 'authx:token-core:token-expired',
  listenerError: 'authx:token-core:listener-error',
  reAuthenticationFailed: 'authx:token-core:reauthentication-failed',
});

/**
 * The key (`Symbol.for`, so duplicate installs agree) under which every diagnostics message carries,
 * as a non-enumerable property, the emitter that published it — a provider's `events` — so that a
 * subscriber (metrics, APM) can tell several providers in one process apart. The message is still
 * the event's payload.
 */
export const DIAGNOSTICS_SOURCE: unique symbol = Symbol.for('authx.diagnostics.source');

/** The emitter that published a diagnostics message (see {@link DIAGNOSTICS_SOURCE}), if any. */
export function diagnosticsSourceOf(message: unknown): object | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const source = (message as { [DIAGNOSTICS_SOURCE]?: unknown })[DIAGNOSTICS_SOURCE];
  return typeof source === 'object' && source !== null ? source : undefined;
}

/** Publishes `payload` on `channel` (when someone listens), tagged with its source. */
export function publishDiagnostics(
  channel: diagnosticsChannel.Channel,
  payload: object,
  source: object,
): void {
  if (!channel.hasSubscribers) return;
  if (Object.isExtensible(payload)) {
    Object.defineProperty(payload, DIAGNOSTICS_SOURCE, { value: source, configurable: true });
  }
  channel.publish(payload);
}

const channels = Object.fromEntries(
  Object.entries(DIAGNOSTICS_CHANNELS).map(([name, channel]) => [name, diagnosticsChannel.channel(channel)]),
) as Record<TokenCoreEventName, diagnosticsChannel.Channel>;

/**
 * The emitter behind `events`: every event also goes to its diagnostics channel, and a listener
 * that throws is reported as `listenerError` (one that throws on `listenerError` is ignored, to
 * avoid a loop).
 */
export class TokenCoreEventEmitter extends TypedEventEmitter<TokenCoreEvents> {
  constructor() {
    super((error, name) => {
      if (name !== 'listenerError') this.emit('listenerError', { error, source: `event:${name}` });
    });
  }

  override emit<K extends TokenCoreEventName>(name: K, payload: TokenCoreEvents[K]): void {
    const channel = channels[name];
    // Node reports a throwing channel subscriber on process.nextTick, outside this call.
    publishDiagnostics(channel, payload, this);
    super.emit(name, payload);
  }
}
