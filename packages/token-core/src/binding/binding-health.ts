import type { CredentialsStatus, CredentialsStatusState } from '../credentials-status';
import type { ConnectionStateKind } from './connection-lifecycle';
import type { CredentialsSourceState } from './credentials-source';
import type { StreamingProvider } from './streaming-provider';

/** The credentials part of {@link BindingHealth}: the provider's own `status()` when it has one. */
export interface HealthCredentials extends Omit<CredentialsStatus, 'lastError'> {
  /** The last failure's code; `atMs` when the provider reports it. */
  readonly lastError: { readonly code: string; readonly atMs?: number } | undefined;
  /** `provider` when read from the provider's `status()`, `binding` when derived from the binding's state. */
  readonly source: 'provider' | 'binding';
}

/**
 * What a binding's `health()` returns (`@authx/redis-auth`, `@authx/ioredis`): enough for a
 * readiness probe, and no credentials in it.
 */
export interface BindingHealth {
  /** Credentials usable and every open connection authenticated (see the README). */
  readonly ready: boolean;
  readonly credentials: HealthCredentials;
  /** The binding's own view of its subscription: `idle`, `subscribing`, `valid`, `recovering`. */
  readonly binding: CredentialsSourceState['kind'];
  readonly connections: {
    /** Connections the binding tracks (open or reconnecting). */
    readonly total: number;
    readonly open: number;
    /** Open, and holding credentials the server accepted (ready, or re-authenticating with them). */
    readonly authenticated: number;
  };
}

/** Connection states in which the server holds credentials it accepted. `rejected`: it refused the newest ones. */
const AUTHENTICATED: ReadonlySet<ConnectionStateKind> = new Set<ConnectionStateKind>([
  'ready',
  'authenticating',
  'deferred',
  'rotating',
  'backoff',
]);

interface StatusProvider {
  status(): CredentialsStatus;
}

function hasStatus(provider: StreamingProvider): provider is StreamingProvider & StatusProvider {
  return typeof (provider as Partial<StatusProvider>).status === 'function';
}

/** Pure: the health of a binding from its provider, its credentials state and its connections. */
export function computeBindingHealth(
  provider: StreamingProvider,
  binding: CredentialsSourceState,
  connections: readonly { readonly isOpen: boolean; readonly state: ConnectionStateKind }[],
): BindingHealth {
  const credentials: HealthCredentials = hasStatus(provider)
    ? { ...provider.status(), source: 'provider' }
    : fromBinding(binding);
  const open = connections.filter((c) => c.isOpen);
  const authenticated = open.filter((c) => AUTHENTICATED.has(c.state)).length;
  return {
    ready: credentials.usable && authenticated === open.length,
    credentials,
    binding: binding.kind,
    connections: { total: connections.length, open: open.length, authenticated },
  };
}

function fromBinding(binding: CredentialsSourceState): HealthCredentials {
  let state: CredentialsStatusState;
  switch (binding.kind) {
    case 'idle':
      state = 'idle';
      break;
    case 'subscribing':
      state = 'refreshing';
      break;
    case 'valid':
      state = 'valid';
      break;
    case 'recovering':
      state = binding.usable ? 'retrying' : binding.error.isRetryable === false ? 'failed' : 'expired';
      break;
  }
  return {
    state,
    usable: state === 'valid' || state === 'refreshing' || state === 'retrying',
    expiresAtMs: binding.kind === 'valid' ? binding.expiresAtMs : undefined,
    refreshAtMs: undefined,
    nextAttemptAtMs: binding.kind === 'recovering' ? binding.retryAtMs : undefined,
    failedAttempts: binding.kind === 'recovering' ? binding.step : 0,
    lastError: binding.kind === 'recovering' ? { code: binding.error.code } : undefined,
    source: 'binding',
  };
}
