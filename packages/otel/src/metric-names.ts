/** Names of the instruments, in OpenTelemetry semantic-convention style (dotted, unit not in the name). */
export const AUTHX_METRICS = Object.freeze({
  /** Counter `{request}`: token requests by `authx.token.outcome` (`success` / `failure`) and `error.type`. */
  tokenRequests: 'authx.token.requests',
  /** Histogram `s`: duration of each Entra ID token request, by `authx.token.outcome`, `authx.entraid.flow`, `error.type`. */
  tokenRequestDuration: 'authx.token.request.duration',
  /** Gauge `s`: seconds until the current token expires (the soonest across providers; negative once expired). */
  tokenTimeToExpiry: 'authx.token.time_to_expiry',
  /** Counter `{retry}`: retries scheduled after failed token requests, by `authx.token.retry.kind` (`retry` / `recovery`). */
  tokenRetries: 'authx.token.retries',
  /** Counter `{reauthentication}`: connections moved onto new credentials, by `authx.redis.reauthentication.via` (`auth` / `handshake` / `pubsub-rotation`). */
  reauthentications: 'authx.redis.reauthentications',
  /** Counter `{failure}`: failed re-authentications, by `error.type`. */
  reauthenticationFailures: 'authx.redis.reauthentication.failures',
  /** Histogram `s`: from new credentials to the connection's AUTH reply (or completed rotation), by `authx.redis.reauthentication.via`. */
  reauthenticationDuration: 'authx.redis.reauthentication.duration',
  /** Counter `{reauthentication}`: re-authentications that had to wait, by `authx.redis.reauthentication.deferral_reason`. */
  reauthenticationsDeferred: 'authx.redis.reauthentications.deferred',
  /** Counter `{rotation}`: RESP2 subscribers moved onto new credentials (make-before-break). */
  pubsubRotations: 'authx.redis.pubsub.rotations',
  /** Counter `{message}`: messages the rotation bridge delivered. */
  pubsubMessagesBridged: 'authx.redis.pubsub.messages_bridged',
  /** Counter `{connection}`: connections moved onto new credentials while their previous ones were still valid — each one a connection the server would otherwise have closed at expiry. */
  evictionsAvoided: 'authx.redis.evictions_avoided',
});
