import type { ColdStartResult, WorkerConfig } from '../protocol';
import { createClientKit } from './client-kit';

/**
 * A fresh provider (and binding) and `connections` clients calling connect() at the same moment;
 * the time from the first connect() call to the last ready (worker clock). Clients are created
 * before the clock starts (node-redis builds its client class once per options, not per connect).
 * `warm`: the provider's first token is obtained before the connects; otherwise the first IdP
 * request happens inside the timing (both providers are lazy: the first subscriber starts them).
 */
export async function coldStart(
  config: WorkerConfig,
  connections: number,
  warm: boolean,
): Promise<ColdStartResult> {
  let clientErrors = 0;
  const kit = await createClientKit(config, () => {
    clientErrors++;
  });
  const clients = Array.from({ length: connections }, () => kit.newClient(2));
  try {
    if (warm) await kit.firstToken?.();
    const startedAtMs = Date.now();
    const started = performance.now();
    let last = started;
    const outcomes = await Promise.allSettled(
      clients.map((client) =>
        client.connect().then(() => {
          last = performance.now();
        }),
      ),
    );
    const endedAtMs = Date.now();
    return {
      connectAllMs: last - started,
      ready: clients.filter((client) => client.isReady).length,
      failed: outcomes.filter((outcome) => outcome.status === 'rejected').length,
      clientErrors,
      startedAtMs,
      endedAtMs,
    };
  } finally {
    for (const client of clients) if (client.isOpen) client.destroy();
    kit.dispose();
  }
}
