import { type LocalAzureRedis, startEmulator } from '@authx/emulator';
import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createRedisAuth, type RedisAuth } from '@authx/redis-auth';
import { createClient } from 'redis';
import type { DemoArgs } from './args';
import { type DemoStats, emptyStats } from './stats';

type Client = ReturnType<typeof createClient>;

const CHANNEL = 'demo:ticks';
const PUBLISH_INTERVAL_MS = 20;
const LOAD_PAUSE_MS = 5;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The demo's live scenario: an embedded emulator (Entra ID + token-checking Redis gateway +
 * redis-server), one Entra ID provider (client credentials through the real MSAL), and every
 * connection bound to it with @authx/redis-auth — load clients, a RESP2 subscriber, a publisher.
 */
export class DemoScenario {
  readonly stats: DemoStats = emptyStats(Date.now());
  private running = true;
  private readonly tasks: Promise<void>[] = [];
  private readonly seen = new Set<number>();

  private constructor(
    private readonly local: LocalAzureRedis,
    private readonly auth: RedisAuth,
    private readonly dispose: () => void,
    private readonly loadClients: Client[],
    private readonly subscriber: Client,
    private readonly publisher: Client,
  ) {}

  static async start(args: DemoArgs): Promise<DemoScenario> {
    const local = await startEmulator({ tokenLifetimeSec: args.tokenLifetimeSec });
    try {
      const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
        clientId: local.clientId,
        clientSecret: local.clientSecret,
        authorityConfig: { type: 'custom', authorityUrl: local.authority },
        // Trust the emulator's CA in-process; against Azure this line is not needed.
        msalConfig: { system: local.msalConfig().system },
      });
      const auth = createRedisAuth(provider, { label: 'demo' });
      const bound = (options: Parameters<typeof createClient>[0], label: string): Client => {
        const client = createClient({ url: local.redisUrl, ...options });
        client.on('error', () => {
          // Reconnects are node-redis' job; failures that matter show up as failed commands.
        });
        auth.bind(client, { label });
        // The binding is node-redis' credentials provider for every handshake.
        return client;
      };
      const loadClients = Array.from({ length: args.clients }, (_, i) =>
        bound({ RESP: 3, credentialsProvider: auth }, `load#${i + 1}`),
      );
      const subscriber = bound({ RESP: 2, credentialsProvider: auth }, 'subscriber(RESP2)');
      const publisher = bound({ RESP: 3, credentialsProvider: auth }, 'publisher');
      const scenario = new DemoScenario(
        local,
        auth,
        () => provider.dispose(),
        loadClients,
        subscriber,
        publisher,
      );
      // Listen before connecting, so the first token is counted too.
      scenario.observe(provider);
      await Promise.all([...loadClients, subscriber, publisher].map((client) => client.connect()));
      await subscriber.subscribe(CHANNEL, (message) => scenario.onMessage(message));
      return scenario;
    } catch (error) {
      await local.stop();
      throw error;
    }
  }

  private observe(provider: { events: { on: Function } }): void {
    const { stats } = this;
    provider.events.on('tokenAcquired', (event: { expiresAtMs: number }) => {
      stats.tokens++;
      stats.tokenExpiresAtMs = event.expiresAtMs;
    });
    provider.events.on('refreshFailed', () => {
      stats.refreshFailures++;
    });
    this.auth.events.on('reauthenticated', () => {
      stats.connectionsReauthenticated++;
    });
    this.auth.events.on('pubsubRotated', () => {
      stats.pubsubRotations++;
    });
    this.auth.events.on('reauthFailed', (event) => {
      stats.reauthFailures++;
      stats.lastError = `re-auth of ${event.connection}: ${event.error.code}`;
    });
    this.local.gateway.on('evicted', () => {
      stats.evictions++;
    });
  }

  private onMessage(message: string): void {
    const seq = Number(message);
    if (this.seen.has(seq)) {
      this.stats.duplicates++;
      return;
    }
    this.seen.add(seq);
    this.stats.delivered++;
  }

  /** Starts the load and the publisher; they run until {@link stop}. */
  run(): void {
    this.loadClients.forEach((client, i) => {
      this.tasks.push(this.loadLoop(client, `demo:key:${i}`));
    });
    this.tasks.push(this.publishLoop());
  }

  private async loadLoop(client: Client, key: string): Promise<void> {
    let n = 0;
    while (this.running) {
      try {
        await client.set(key, String(++n));
        const value = await client.get(key);
        if (value !== String(n)) throw new Error(`read ${value} after writing ${n}`);
        this.stats.commandsOk += 2;
      } catch (error) {
        this.stats.commandsFailed++;
        this.stats.lastError = describe(error);
      }
      await sleep(LOAD_PAUSE_MS);
    }
  }

  private async publishLoop(): Promise<void> {
    let seq = 0;
    while (this.running) {
      try {
        await this.publisher.publish(CHANNEL, String(seq));
        seq++;
        this.stats.published++;
        this.stats.commandsOk++;
      } catch (error) {
        this.stats.commandsFailed++;
        this.stats.lastError = describe(error);
      }
      await sleep(PUBLISH_INTERVAL_MS);
    }
  }

  /** Stops the load, lets in-flight messages arrive, then closes everything it started. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.tasks);
    await sleep(500);
    await Promise.allSettled(
      [...this.loadClients, this.subscriber, this.publisher].map((client) => client.close()),
    );
    this.auth.dispose();
    this.dispose();
    await this.local.stop();
  }
}
