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
    if (channel.hasSubscribers) channel.publish(payload);
    super.emit(name, payload);
  }
}
