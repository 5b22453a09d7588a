import type { AuthOkEvent, EvictedEvent, LocalAzureRedis, RedisGateway } from '@authx/emulator';

/** A gateway event with the time it happened (epoch ms; the gateway runs in this process). */
export type RecordedEvent =
  | {
      readonly kind: 'authOk';
      readonly atMs: number;
      readonly connectionId: number;
      readonly identity: string;
      readonly command: AuthOkEvent['command'];
      readonly tokenExpiresAtMs: number;
    }
  | {
      readonly kind: 'authFailed';
      readonly atMs: number;
      readonly connectionId: number;
      /** The identity the connection had when the AUTH was refused (undefined on a fresh connection). */
      readonly identity: string | undefined;
      readonly reason: string;
    }
  | {
      readonly kind: 'evicted';
      readonly atMs: number;
      readonly connectionId: number;
      readonly identity: string | undefined;
      readonly reason: EvictedEvent['reason'];
      /** Whether the connection was subscribed (pub/sub) when it was closed. */
      readonly subscribed: boolean;
    };

export type EventKind = RecordedEvent['kind'];

/** A time window [fromMs, toMs] and the identity whose events count. */
export interface EventFilter {
  readonly identity: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Keeps every AUTH outcome and eviction of the gateway (its own `authLog()` keeps only the last
 * 1000, too few for the 1000-connection fan-out), and reads the Entra emulator's request log.
 */
export class GatewayRecorder {
  readonly #events: RecordedEvent[] = [];
  readonly #detach: () => void;

  constructor(private readonly local: LocalAzureRedis<RedisGateway>) {
    const gateway = local.gateway;
    const onOk = (event: AuthOkEvent) => this.#events.push({ kind: 'authOk', atMs: Date.now(), ...event });
    const onFailed = (event: { connectionId: number; reason: string }) =>
      this.#events.push({
        kind: 'authFailed',
        atMs: Date.now(),
        connectionId: event.connectionId,
        reason: event.reason,
        identity: this.#connectionInfo(event.connectionId)?.identity,
      });
    // The connection is still listed while `evicted` is emitted, so its pub/sub state can be read.
    const onEvicted = (event: EvictedEvent) =>
      this.#events.push({
        kind: 'evicted',
        atMs: event.atMs,
        connectionId: event.connectionId,
        identity: event.identity,
        reason: event.reason,
        subscribed: this.#connectionInfo(event.connectionId)?.subscribed ?? false,
      });
    gateway.on('authOk', onOk);
    gateway.on('authFailed', onFailed);
    gateway.on('evicted', onEvicted);
    this.#detach = () => {
      gateway.off('authOk', onOk);
      gateway.off('authFailed', onFailed);
      gateway.off('evicted', onEvicted);
    };
  }

  events<K extends EventKind>(kind: K, filter: EventFilter): Array<Extract<RecordedEvent, { kind: K }>> {
    return this.#events.filter(
      (event): event is Extract<RecordedEvent, { kind: K }> =>
        event.kind === kind &&
        event.identity === filter.identity &&
        event.atMs >= filter.fromMs &&
        event.atMs <= filter.toMs,
    );
  }

  /** Arrival times (epoch ms) of the managed identity token requests of one identity's client id. */
  idpRequestTimes(clientId: string, fromMs: number, toMs: number): number[] {
    return this.local.entra.requests
      .filter(
        (request) =>
          request.endpoint === 'mi' &&
          request.clientId === clientId &&
          request.timeMs >= fromMs &&
          request.timeMs <= toMs,
      )
      .map((request) => request.timeMs);
  }

  stop(): void {
    this.#detach();
  }

  #connectionInfo(connectionId: number) {
    return this.local.gateway.connections().find((connection) => connection.id === connectionId);
  }
}
