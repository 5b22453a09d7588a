import diagnosticsChannel from 'node:diagnostics_channel';

/** `node:diagnostics_channel` names of this package. */
export const ENTRAID_DIAGNOSTICS_CHANNELS = Object.freeze({
  /** One message per token request to Entra ID / a managed identity endpoint: {@link EntraTokenRequestMessage}. */
  tokenRequest: 'authx:entraid:token-request',
});

/** Message of `authx:entraid:token-request`; never a token. */
export interface EntraTokenRequestMessage {
  /** e.g. `client credentials`, `system-assigned managed identity`. */
  flow: string;
  /** From the call to the identity provider until its result was validated, ms. */
  durationMs: number;
  outcome: 'success' | 'failure';
  /** The failure's code (`ENTRA_INVALID_CLIENT`, `INVALID_TOKEN_RESPONSE`, …). */
  errorCode?: string;
}

const tokenRequest = diagnosticsChannel.channel(ENTRAID_DIAGNOSTICS_CHANNELS.tokenRequest);

/** Publishes one request's outcome (only when someone subscribed). */
export function publishTokenRequest(message: () => EntraTokenRequestMessage): void {
  if (tokenRequest.hasSubscribers) tokenRequest.publish(message());
}
