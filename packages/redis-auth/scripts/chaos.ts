// Chaos soak (issue #9, item 6): 2-second Entra ID tokens under load while the identity provider
// fails at random and the gateway kills connections. Not part of CI.
//
//   pnpm --filter @authx/redis-auth chaos [--duration 300] [--seed N] [--recovery-allowance 30]
//
// All in this process, all on 127.0.0.1: the emulator's Entra ID, a redis-server behind the
// token-checking gateway (it closes a connection when its token expires), real MSAL through
// @authx/entraid, and ONE @authx/redis-auth binding for every connection:
//   worker      RESP2  SET + GET every 10 ms
//   publisher   RESP2  PUBLISH of sequence numbers every 20 ms
//   subscriber  RESP2  subscribed to them; the binding moves it make-before-break on every token
//   resp3       RESP3  INCR every 50 ms (re-authenticated in place)
//
// Flow: client credentials (secret). It is the flow of the package README's first example, and the
// confidential client takes its network client per app, so the script hands MSAL a loopback-only
// one and sees every request. Managed identity would need process-wide environment variables, and
// MSAL fixes its managed-identity network client for the whole process at the first request. The
// binding is flow-agnostic (issue #9 saw the same defect with managed identity and
// DefaultAzureCredential). The provider is tuned to 2 s tokens (refresh at half life, 500 ms request
// timeout, 3 quick retries); the binding runs with its defaults — it is what is measured.
//
// Chaos, planned from the seed before the run (printed; --seed replays the plan, not the timing):
//   - IdP outages of 0.5–20 s (log-uniform) on the token endpoint: HTTP 503, connection resets or
//     hangs; 3–15 s apart, one gap in four longer than the recovery allowance; none in the first
//     5 s, none in the last (allowance + 10 s), so a binding that never recovers is always caught;
//   - gateway kills every 5–20 s: all connections, the subscribed ones, or one at random.
//
// How outcomes are counted (by the time a command was sent / a message was published):
//   - A token is valid from the IdP's 200 until its JWT exp minus 250 ms (exp estimated from the
//     request log, never later than the real one).
//   - An outage OUTLIVES THE TOKEN when, before the IdP is back, no token is valid any more. Its
//     blame window runs from that instant to the earlier of (IdP back + recovery allowance; default
//     30 s, the binding's backoff cap of issue #9) and (first new token + 5 s to reconnect).
//   - failed while IdP down: sent inside a blame window — no credential existed, or the binding
//     was still within its allowance to get one. Expected.
//   - failed after recovery: every other failure not caused by a kill — sent while a token was
//     valid (the binding had working credentials, IdP up or not), or with none valid although the
//     IdP had been back longer than the allowance. What on-call would page for. Target 0.
//   - failed by gateway kill: in flight when the gateway killed connections, failing within 250 ms
//     of the kill (node-redis rejects what is in flight on a dropped socket).
//   - A command waiting to be written fails after 5 s (node-redis `commandOptions.timeout`), so a
//     client that never comes back shows up as failures, not as silence.
//   - Messages: lost = PUBLISH acknowledged but never delivered (after a 5 s drain); duplicates =
//     extra deliveries. Lost during outages that outlived the token: published in a blame window.
//     Lost around subscriber kills: published between a kill that hit the subscriber and its next
//     `ready` (≤ 5 s) — Redis pub/sub is at-most-once across a reconnect. Lost otherwise: the rest
//     (the bridge of a rotation must cover it). Target 0.
// Exit code 0 when both targets are met, 1 when not (or on error), 130 when interrupted.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  type FaultSpec,
  type InjectedFault,
  type LocalAzureRedis,
  type RedisGateway,
  startEmulator,
} from '@authx/emulator';
import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createClient } from 'redis';
import { createRedisAuth } from '../src';
import { countSubscriptions, liveSubscriptions } from './chaos/counting-provider';
import {
  assertLoopback,
  killLeftoverRedisServers,
  loopbackOnly,
  registerRedisServers,
  stopEmulator,
} from './chaos/guards';
import { CommandLedger, errorKind, MessageLedger } from './chaos/ledger';
import { type KillRecord, type OutageRecord, type RunFacts, report, round1, tally } from './chaos/report';
import { type ChaosPlan, type OutageKind, planChaos } from './chaos/schedule';

const TOKEN_LIFETIME_SEC = 2;
const CHANNEL = 'chaos';
/** Load: SET + GET per worker tick (200 commands/s), one message per publisher tick (50/s), INCR per RESP3 tick. */
const WORKER_TICK_MS = 10;
const PUBLISH_TICK_MS = 20;
const RESP3_TICK_MS = 50;
/** node-redis fails a command still waiting to be written after this; also the reconnect allowance. */
const COMMAND_TIMEOUT_MS = 5_000;
/** No new command while this many are pending (a guard; the command timeout keeps it far away). */
const MAX_PENDING = 5_000;
const EXPIRY_SLACK_MS = 250;
const KILL_SLACK_MS = 250;
/** After the load stops: wait for pending commands, then for messages still on their way. */
const SETTLE_MS = COMMAND_TIMEOUT_MS + 2_000;
const DRAIN_MS = 5_000;
/** Stopping the emulator may take this long before its redis-server is killed by pid. */
const STOP_TIMEOUT_MS = 15_000;
const PROGRESS_EVERY_MS = 10_000;
/** Bounds on what is recorded per event kind. */
const MAX_EVENT_TIMES = 200_000;
/** MSAL's request timeout = token-core's: a hung token endpoint is abandoned, its socket closed. */
const IDP_REQUEST_TIMEOUT_MS = 500;
const TOKEN_MANAGER_CONFIG = {
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMs: 1_000,
  refreshJitterMs: 100,
  minRefreshIntervalMs: 100,
  requestTimeoutMs: IDP_REQUEST_TIMEOUT_MS,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 400 },
};
const COMMAND_SOURCES = ['worker', 'publisher', 'resp3'] as const;
const WORKER = 0;
const PUBLISHER = 1;
const RESP3 = 2;

const nowMs = (): number => Date.now();

interface Options {
  readonly durationMs: number;
  readonly seed: number;
  readonly recoveryAllowanceMs: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '300' },
      seed: { type: 'string' },
      'recovery-allowance': { type: 'string', default: '30' },
    },
  });
  const durationS = Number(values.duration);
  if (!(Number.isFinite(durationS) && durationS >= 10 && durationS <= 24 * 3600))
    throw new Error(`--duration must be 10–86400 seconds, got ${values.duration}`);
  const seed = values.seed === undefined ? randomInt(0, 2 ** 32) : Number(values.seed);
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32))
    throw new Error(`--seed must be an integer 0–4294967295, got ${values.seed}`);
  const allowanceS = Number(values['recovery-allowance']);
  if (!(Number.isFinite(allowanceS) && allowanceS >= 0 && allowanceS <= 600))
    throw new Error(`--recovery-allowance must be 0–600 seconds, got ${values['recovery-allowance']}`);
  return { durationMs: Math.round(durationS * 1000), seed, recoveryAllowanceMs: allowanceS * 1000 };
}

// ——— small helpers ———

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Polls `condition` every 50 ms for at most `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (let i = 0; i * 50 < timeoutMs; i++) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function faultFor(kind: OutageKind): FaultSpec {
  if (kind === 'reset') return { endpoint: 'token', reset: true, times: Number.POSITIVE_INFINITY };
  if (kind === 'hang') return { endpoint: 'token', hang: true, times: Number.POSITIVE_INFINITY };
  return { endpoint: 'token', status: 503, times: Number.POSITIVE_INFINITY };
}

function describePlan(plan: ChaosPlan, options: Options): void {
  const { outages, kills } = plan;
  const byKind = (kind: OutageKind) => outages.filter((o) => o.kind === kind).length;
  const totalS = outages.reduce((sum, o) => sum + o.durationMs, 0) / 1000;
  console.log(
    `plan: ${outages.length} IdP outages (${byKind('503')} × 503, ${byKind('reset')} × reset, ` +
      `${byKind('hang')} × hang; ${round1(totalS)} s in all, ending by ${Math.max(0, plan.lastOutageEndMs) / 1000} s), ` +
      `${kills.length} gateway kills`,
  );
  if (outages.length > 0) {
    const list = outages.map((o) => `${round1(o.atMs / 1000)} s +${round1(o.durationMs / 1000)} s ${o.kind}`);
    console.log(`  outages at: ${list.join(', ')}`);
  } else {
    // The last outage must end (recovery allowance + 10 s) before the end, after a 5–8 s warm-up.
    const minimumS = options.recoveryAllowanceMs / 1000 + 18.5;
    console.log(`  (no outage fits: use --duration ${minimumS} or more, or a smaller --recovery-allowance)`);
  }
}

async function run(
  azure: LocalAzureRedis<RedisGateway>,
  options: Options,
  plan: ChaosPlan,
  signal: AbortSignal,
): Promise<RunFacts> {
  const { gateway, entra } = azure;
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
    clientId: azure.clientId,
    clientSecret: azure.clientSecret,
    authorityConfig: { type: 'custom', authorityUrl: azure.authority },
    msalConfig: {
      system: {
        networkClient: loopbackOnly(
          azure.msalConfig({ timeoutMs: IDP_REQUEST_TIMEOUT_MS }).system.networkClient,
        ),
      },
    },
    tokenManagerConfig: TOKEN_MANAGER_CONFIG,
  });
  const subscriptions = countSubscriptions(provider);
  const auth = createRedisAuth(subscriptions.provider);

  const binding = {
    credentialsUpdated: 0,
    reauthFailed: 0,
    providerError: 0,
    pubsubRotated: 0,
    bridged: 0,
  };
  const reauthenticatedVia = new Map<string, number>();
  const providerErrors = new Map<string, number>();
  auth.events.on('credentialsUpdated', () => binding.credentialsUpdated++);
  auth.events.on('reauthenticated', (event) => tally(reauthenticatedVia, String(event?.via)));
  auth.events.on('reauthFailed', () => binding.reauthFailed++);
  auth.events.on('providerError', (event) => {
    binding.providerError++;
    const cause = (event?.error as { cause?: unknown } | undefined)?.cause;
    tally(providerErrors, errorKind(cause ?? event?.error));
  });
  auth.events.on('pubsubRotated', (event) => {
    binding.pubsubRotated++;
    binding.bridged += event?.bridged ?? 0;
  });

  const commandOptions = { timeout: COMMAND_TIMEOUT_MS };
  const url = azure.redisUrl;
  const worker = auth.bind(createClient({ url, credentialsProvider: auth, commandOptions }), {
    label: 'worker',
  });
  const publisher = auth.bind(createClient({ url, credentialsProvider: auth, commandOptions, RESP: 2 }), {
    label: 'publisher',
  });
  const subscriber = auth.bind(createClient({ url, credentialsProvider: auth, RESP: 2 }), {
    label: 'subscriber',
  });
  const resp3 = auth.bind(createClient({ url, credentialsProvider: auth, commandOptions, RESP: 3 }), {
    label: 'resp3',
  });
  const clients = { worker, publisher, subscriber, resp3 };
  const clientErrors = new Map<string, number>();
  for (const [label, client] of Object.entries(clients))
    client.on('error', (error: unknown) => tally(clientErrors, `${label} ${errorKind(error)}`));
  const subscriberReadyAtMs: number[] = [];
  subscriber.on('ready', () => {
    if (subscriberReadyAtMs.length < MAX_EVENT_TIMES) subscriberReadyAtMs.push(nowMs());
  });
  const authOkAtMs: number[] = [];
  const onAuthOk = () => {
    if (authOkAtMs.length < MAX_EVENT_TIMES) authOkAtMs.push(nowMs());
  };
  gateway.on('authOk', onAuthOk);
  const expiryEvictions: { atMs: number; tokenExpiresAtMs: number | undefined }[] = [];
  const onEvicted = (event: { reason: string; atMs: number; tokenExpiresAtMs: number | undefined }) => {
    if (event.reason === 'token-expired' && expiryEvictions.length < MAX_EVENT_TIMES) {
      expiryEvictions.push({ atMs: event.atMs, tokenExpiresAtMs: event.tokenExpiresAtMs });
    }
  };
  gateway.on('evicted', onEvicted);

  const ticks = (everyMs: number) => Math.ceil(options.durationMs / everyMs) + 100;
  const commands = new CommandLedger(
    2 * ticks(WORKER_TICK_MS) + ticks(PUBLISH_TICK_MS) + ticks(RESP3_TICK_MS),
  );
  const messages = new MessageLedger(ticks(PUBLISH_TICK_MS));
  const outages: OutageRecord[] = [];
  const kills: KillRecord[] = [];
  const timers: NodeJS.Timeout[] = [];
  let throttled = 0;
  let measured: Omit<RunFacts, 'subscriptionsLiveAfterClose' | 'providerSubscribersAfterClose'>;
  let subscriptionsLiveAfterClose = 0;
  let providerSubscribersAfterClose = 0;

  try {
    await withTimeout(
      Promise.all(Object.values(clients).map((client) => client.connect())),
      20_000,
      'connecting the clients',
    );
    await subscriber.subscribe(CHANNEL, (message) => messages.deliver(message));
    const heapStartMb = heapMb();

    const runStartMs = nowMs();
    const runEndMs = runStartMs + options.durationMs;
    const at = () => `${((nowMs() - runStartMs) / 1000).toFixed(1)} s`;
    const running = () => nowMs() < runEndMs && !signal.aborted;
    const canSend = () => {
      if (commands.pending < MAX_PENDING) return true;
      throttled++;
      return false;
    };
    let tick = 0;
    timers.push(
      setInterval(() => {
        if (!running() || !canSend()) return;
        const i = tick++;
        commands.track(WORKER, nowMs, () => worker.set(`chaos:${i % 1000}`, String(i)));
        commands.track(WORKER, nowMs, () => worker.get(`chaos:${(i + 1) % 1000}`));
      }, WORKER_TICK_MS),
      setInterval(() => {
        if (!running() || !canSend()) return;
        const seq = messages.next(nowMs());
        if (seq < 0) return;
        const index = commands.begin(PUBLISHER, nowMs());
        publisher.publish(CHANNEL, String(seq)).then(
          (receivers) => {
            messages.published(seq, Number(receivers));
            if (index >= 0) commands.succeed(index, nowMs());
          },
          (error: unknown) => {
            messages.publishFailed(seq);
            if (index >= 0) commands.fail(index, nowMs(), error);
          },
        );
      }, PUBLISH_TICK_MS),
      setInterval(() => {
        if (!running() || !canSend()) return;
        commands.track(RESP3, nowMs, () => resp3.incr('chaos:resp3'));
      }, RESP3_TICK_MS),
      setInterval(() => {
        const down = outages.length > 0 && Number.isNaN(outages[outages.length - 1]!.upAtMs);
        const tokenRequests = entra.requests.filter((r) => r.endpoint === 'token').length;
        console.log(
          `… ${at()}: IdP ${down ? 'DOWN' : 'up'} | commands ${commands.ok} ok, ${commands.failed} failed, ` +
            `${commands.pending} pending | messages ${messages.unique} of ${messages.counts().published} | ` +
            `evictions ${gateway.stats().evicted} | token requests ${tokenRequests}`,
        );
      }, PROGRESS_EVERY_MS),
    );

    // The chaos driver: the plan's steps in time order, each applied when due.
    type Step = { atMs: number; apply: () => void };
    let active: { fault: InjectedFault; record: OutageRecord } | undefined;
    const endOutage = () => {
      if (!active) return;
      active.fault.cancel();
      active.record.upAtMs = nowMs();
      active = undefined;
    };
    const steps: Step[] = [
      ...plan.outages.flatMap((outage): Step[] => [
        {
          atMs: outage.atMs,
          apply: () => {
            endOutage();
            const record: OutageRecord = { kind: outage.kind, downAtMs: nowMs(), upAtMs: Number.NaN };
            active = { fault: entra.faults.inject(faultFor(outage.kind)), record };
            outages.push(record);
            console.log(`… ${at()}: IdP down (${outage.kind}) for ${outage.durationMs / 1000} s`);
          },
        },
        {
          atMs: outage.atMs + outage.durationMs,
          apply: () => {
            endOutage();
            console.log(`… ${at()}: IdP up`);
          },
        },
      ]),
      ...plan.kills.map(
        (kill): Step => ({
          atMs: kill.atMs,
          apply: () => {
            const open = gateway.connections();
            const chosen =
              kill.kind === 'all'
                ? open
                : kill.kind === 'subscribed'
                  ? open.filter((c) => c.subscribed)
                  : open.slice(Math.floor(kill.pick * open.length)).slice(0, 1);
            const ids = new Set(chosen.map((c) => c.id));
            const killed = ids.size > 0 ? gateway.kill((c) => ids.has(c.id)) : 0;
            const hitSubscriber = chosen.some((c) => c.subscribed);
            kills.push({ kind: kill.kind, atMs: nowMs(), killed, hitSubscriber });
            console.log(
              `… ${at()}: gateway kill (${kill.kind}): ${killed} connection(s)${hitSubscriber ? ', subscriber among them' : ''}`,
            );
          },
        }),
      ),
    ].sort((a, b) => a.atMs - b.atMs);
    try {
      for (const step of steps) {
        await sleep(runStartMs + step.atMs - nowMs(), signal);
        if (!running()) break;
        step.apply();
      }
      await sleep(runEndMs - nowMs(), signal);
    } finally {
      endOutage();
      entra.faults.clear();
      for (const timer of timers.splice(0)) clearInterval(timer);
    }
    const loadStoppedMs = Math.min(runEndMs, nowMs());
    if (signal.aborted) console.log(`… ${at()}: interrupted; settling and tearing down`);

    await waitUntil(() => commands.pending === 0, SETTLE_MS);
    await waitUntil(() => messages.missing() === 0, DRAIN_MS);
    const heapEndMb = heapMb();
    const connections = auth.connections();
    measured = {
      runStartMs,
      runEndMs: loadStoppedMs,
      commands,
      messages,
      throttled,
      outages,
      kills,
      subscriberReadyAtMs,
      expiryEvictions,
      authOkAtMs,
      requests: entra.requests,
      gatewayStats: gateway.stats(),
      binding,
      reauthenticatedVia,
      providerErrors,
      clientErrors,
      subscriptions: subscriptions.counts,
      subscriptionsLiveAtEnd: liveSubscriptions(subscriptions.counts),
      providerSubscribersAtEnd: provider.getSubscriptionsCount(),
      trackedConnections: { open: connections.filter((c) => c.isOpen).length, total: connections.length },
      heapStartMb,
      heapEndMb,
    };
  } finally {
    for (const timer of timers) clearInterval(timer);
    gateway.off('authOk', onAuthOk);
    gateway.off('evicted', onEvicted);
    for (const client of Object.values(clients)) {
      try {
        client.destroy();
      } catch {
        // Never connected, or already closed.
      }
    }
    auth.dispose();
    // What the binding leaves subscribed once every bound connection is closed and it is disposed.
    subscriptionsLiveAfterClose = liveSubscriptions(subscriptions.counts);
    providerSubscribersAfterClose = provider.getSubscriptionsCount();
    provider.dispose();
  }
  return { ...measured, subscriptionsLiveAfterClose, providerSubscribersAfterClose };
}

// ——— main ———

async function main(): Promise<number> {
  const options = readOptions();
  const plan = planChaos(options);
  console.log(
    `chaos: seed ${options.seed} (--seed ${options.seed} replays this plan), ${options.durationMs / 1000} s of ` +
      `${TOKEN_LIFETIME_SEC} s tokens, recovery allowance ${options.recoveryAllowanceMs / 1000} s`,
  );
  describePlan(plan, options);
  if (!global.gc) console.log('chaos: run with node --expose-gc for heap figures after a full GC');

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      console.error('chaos: second interrupt; killing redis-server and exiting');
      killLeftoverRedisServers();
      process.exit(130);
    }
    console.log('chaos: interrupted (again to quit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killLeftoverRedisServers);
  try {
    const azure = await startEmulator({ tokenLifetimeSec: TOKEN_LIFETIME_SEC });
    registerRedisServers(azure);
    console.log(
      `emulator: redis ${azure.redisUrl} (redis-server pid ${azure.redisServers.map((s) => s.pid).join(', ')}), ` +
        `Entra ID ${azure.authorityHost}`,
    );
    let facts: RunFacts;
    try {
      assertLoopback(azure);
      facts = await run(azure, options, plan, stop.signal);
    } finally {
      await stopEmulator(azure, STOP_TIMEOUT_MS);
    }
    const verdict = report(facts, {
      seed: options.seed,
      flow: 'client credentials (secret)',
      tokenLifetimeMs: TOKEN_LIFETIME_SEC * 1000,
      sources: COMMAND_SOURCES,
      allowances: {
        recoveryMs: options.recoveryAllowanceMs,
        reconnectMs: COMMAND_TIMEOUT_MS,
        expirySlackMs: EXPIRY_SLACK_MS,
        killSlackMs: KILL_SLACK_MS,
      },
    });
    const met = verdict.failedAfterRecovery === 0 && verdict.lostOtherwise === 0;
    console.log(
      `\ntargets: commands failed after recovery ${verdict.failedAfterRecovery} (target 0), ` +
        `messages lost outside outages that outlived the token ${verdict.lostOtherwise} (target 0): ` +
        `${met ? 'met' : 'MISSED'}${stop.signal.aborted ? ' (interrupted run)' : ''}`,
    );
    if (stop.signal.aborted) return 130;
    return met ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything was closed; if a stray handle still keeps the process alive, say so and leave.
    setTimeout(() => {
      console.error('chaos: still running 10 s after the summary (a handle was left open); exiting');
      process.exit(code);
    }, 10_000).unref();
  },
  (error: unknown) => {
    console.error(error);
    killLeftoverRedisServers();
    process.exitCode = 1;
  },
);
