import { closeClient } from './close-client';
import { runTraffic, type KeyValueClient, type TrafficResult } from './traffic';
import { whoAmI } from './who-am-i';

/** Options of {@link runKeyValue}. */
export interface KeyValueRunOptions {
  /** A bound, not yet connected node-redis client. */
  client: KeyValueClient & {
    connect(): Promise<unknown>;
    sendCommand(args: string[]): Promise<unknown>;
    isOpen: boolean;
    close(): Promise<unknown>;
    destroy(): unknown;
  };
  /** Who the connection runs as when ACL WHOAMI is not allowed (`the service principal`). */
  identity: string;
  /** How long the traffic runs, in milliseconds. */
  durationMs: number;
  /** Disposed after the client is closed, in this order: the binding, then the provider. */
  dispose: ReadonlyArray<{ dispose(): void }>;
}

/**
 * Connects, prints who the connection runs as, runs SET/GET traffic for `durationMs`, then closes
 * the client and disposes `dispose`, whatever happened.
 */
export async function runKeyValue({
  client,
  identity,
  durationMs,
  dispose,
}: KeyValueRunOptions): Promise<TrafficResult> {
  try {
    await client.connect();
    console.log(`connected as ${await whoAmI(client, identity)}`);
    return await runTraffic(client, durationMs);
  } finally {
    await closeClient(client);
    for (const disposable of dispose) disposable.dispose();
  }
}
