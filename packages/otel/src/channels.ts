/**
 * The diagnostics channels read, by name — the published contract of the packages that emit them
 * (`DIAGNOSTICS_CHANNELS` of @authx/token-core, `REDIS_AUTH_DIAGNOSTICS_CHANNELS` of
 * @authx/redis-auth, `ENTRAID_DIAGNOSTICS_CHANNELS` of @authx/entraid; a test checks they agree), so
 * this package imports none of them: it works with whichever of them the application uses.
 */
export const CHANNELS = Object.freeze({
  tokenAcquired: 'authx:token-core:token-acquired',
  refreshFailed: 'authx:token-core:refresh-failed',
  retryScheduled: 'authx:token-core:retry-scheduled',
  recoveryScheduled: 'authx:token-core:recovery-scheduled',
  entraTokenRequest: 'authx:entraid:token-request',
  credentialsUpdated: 'authx:redis-auth:credentials-updated',
  reauthenticated: 'authx:redis-auth:reauthenticated',
  reauthFailed: 'authx:redis-auth:reauth-failed',
  reauthDeferred: 'authx:redis-auth:reauth-deferred',
  pubsubRotated: 'authx:redis-auth:pubsub-rotated',
});

/** token-core's `DIAGNOSTICS_SOURCE`: the emitter (provider or binding) that published a message. */
const DIAGNOSTICS_SOURCE = Symbol.for('authx.diagnostics.source');

/** Messages of publishers that do not tag their source share this key. */
const UNTAGGED = Object.freeze({});

export function sourceOf(message: unknown): object {
  const source = (message as { [DIAGNOSTICS_SOURCE]?: unknown } | null)?.[DIAGNOSTICS_SOURCE];
  return typeof source === 'object' && source !== null ? source : UNTAGGED;
}
