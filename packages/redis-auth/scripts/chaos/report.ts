// The end of a run: every outcome bucketed by the timeline, a table of the outages, the summary
// (JSON, as soak.ts prints it), and the two figures the targets are about.
import type { EntraEmulator, RedisGateway } from '@authx/emulator';
import type { SubscriptionCounts } from './counting-provider';
import type { CommandLedger, MessageLedger } from './ledger';
import type { KillKind, OutageKind } from './schedule';
import { type FailureBucket, type LossBucket, Timeline, type TimelineAllowances } from './timeline';

export interface OutageRecord {
  readonly kind: OutageKind;
  readonly downAtMs: number;
  upAtMs: number;
}

export interface KillRecord {
  readonly kind: KillKind;
  readonly atMs: number;
  readonly killed: number;
  readonly hitSubscriber: boolean;
}

/** Everything measured, copied out before the clients and the emulator are stopped. */
export interface RunFacts {
  readonly runStartMs: number;
  readonly runEndMs: number;
  readonly commands: CommandLedger;
  readonly messages: MessageLedger;
  readonly throttled: number;
  readonly outages: readonly OutageRecord[];
  readonly kills: readonly KillRecord[];
  readonly subscriberReadyAtMs: readonly number[];
  /** Gateway evictions for an expired token: when, and when that token expired. */
  readonly expiryEvictions: readonly {
    readonly atMs: number;
    readonly tokenExpiresAtMs: number | undefined;
  }[];
  readonly authOkAtMs: readonly number[];
  readonly requests: EntraEmulator['requests'];
  readonly gatewayStats: ReturnType<RedisGateway['stats']>;
  readonly binding: Record<string, number>;
  readonly reauthenticatedVia: Map<string, number>;
  readonly providerErrors: Map<string, number>;
  readonly clientErrors: Map<string, number>;
  readonly subscriptions: SubscriptionCounts;
  readonly subscriptionsLiveAtEnd: number;
  readonly subscriptionsLiveAfterClose: number;
  readonly providerSubscribersAtEnd: number;
  readonly providerSubscribersAfterClose: number;
  readonly trackedConnections: { open: number; total: number };
  readonly heapStartMb: number;
  readonly heapEndMb: number;
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;

export function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function top(counts: Map<string, number>, limit = 6): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, limit));
}

/** Fixed-width rows, header first. */
function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padStart(widths[column]!)).join('  ')).join('\n');
}

export interface Verdict {
  readonly failedAfterRecovery: number;
  readonly lostOtherwise: number;
}

/** The run's settings the report needs. */
export interface ReportSettings {
  readonly seed: number;
  readonly flow: string;
  readonly tokenLifetimeMs: number;
  /** Names of the command sources, by their index in the command ledger. */
  readonly sources: readonly string[];
  readonly allowances: TimelineAllowances;
}

/** Prints the outage table and the summary; returns the two figures the targets are about. */
export function report(facts: RunFacts, settings: ReportSettings): Verdict {
  const { tokenLifetimeMs, allowances } = settings;
  const tokenRequests = facts.requests.filter((r) => r.endpoint === 'token');
  // The emulator rounds exp up to a whole second from the time it signs, which is at or after the
  // request arrived: this estimate is never later than the real exp.
  const tokens = tokenRequests
    .filter((r) => r.status === 200)
    .map((r) => ({ fromMs: r.timeMs, toMs: Math.ceil((r.timeMs + tokenLifetimeMs) / 1000) * 1000 }));
  const timeline = new Timeline(
    {
      outages: facts.outages.map((o) => ({
        downAtMs: o.downAtMs,
        upAtMs: Number.isNaN(o.upAtMs) ? facts.runEndMs : o.upAtMs,
      })),
      tokens,
      kills: facts.kills.filter((k) => k.killed > 0),
      subscriberReadyAtMs: facts.subscriberReadyAtMs,
      expiryEvictions: facts.expiryEvictions,
    },
    allowances,
  );

  // Per outage: failures (not by kills) and losses from its start to the end of its blame window
  // (at least the IdP's return + the reconnect allowance), or to the next outage, whatever their bucket.
  const outageSpans = timeline.outages.map((o) => ({
    fromMs: o.downAtMs,
    toMs: Math.max(o.blame?.toMs ?? 0, o.upAtMs + allowances.reconnectMs),
  }));
  const spanOf = (atMs: number) => {
    for (let i = outageSpans.length - 1; i >= 0; i--) {
      if (atMs >= outageSpans[i]!.fromMs) return atMs < outageSpans[i]!.toMs ? i : -1;
    }
    return -1;
  };
  const perOutage = timeline.outages.map(() => ({ failed: 0, lost: 0 }));

  const failures: Record<FailureBucket, number> = {
    'gateway-kill': 0,
    'idp-down': 0,
    'after-recovery:token-valid': 0,
    'after-recovery:token-valid-idp-down': 0,
    'after-recovery:no-token': 0,
  };
  const errorsWhileDown = new Map<string, number>();
  const errorsAfterRecovery = new Map<string, number>();
  const bySource = settings.sources.map(() => ({ ok: 0, failed: 0 }));
  let ok = 0;
  let unsettled = 0;
  facts.commands.forEach((record) => {
    const source = bySource[record.client]!;
    if (record.ok) {
      ok++;
      source.ok++;
      return;
    }
    source.failed++;
    if (record.pending) unsettled++;
    const bucket = timeline.failure(record.startMs, record.endMs, record.reply);
    failures[bucket]++;
    const error = record.error ?? 'unsettled';
    if (bucket === 'idp-down') tally(errorsWhileDown, error);
    else if (bucket !== 'gateway-kill') tally(errorsAfterRecovery, error);
    const span = spanOf(record.startMs);
    if (span >= 0 && bucket !== 'gateway-kill') perOutage[span]!.failed++;
  });
  const failedAfterRecovery =
    failures['after-recovery:token-valid'] +
    failures['after-recovery:token-valid-idp-down'] +
    failures['after-recovery:no-token'];

  const losses: Record<LossBucket, number> = { 'outage-outliving-token': 0, 'subscriber-kill': 0, other: 0 };
  let lost = 0;
  let lostAfterServerDelivery = 0;
  // When the unexplained ones were published (s into the run), to look for their cause.
  const lostOtherwiseAtS: number[] = [];
  facts.messages.forEachLost((message) => {
    lost++;
    const bucket = timeline.loss(message.publishedAtMs);
    losses[bucket]++;
    if (bucket === 'other' && lostOtherwiseAtS.length < 20) {
      lostOtherwiseAtS.push(Math.round((message.publishedAtMs - facts.runStartMs) / 100) / 10);
    }
    if (message.receivers > 0) lostAfterServerDelivery++;
    const span = spanOf(message.publishedAtMs);
    if (span >= 0) perOutage[span]!.lost++;
  });
  const messageCounts = facts.messages.counts();

  if (timeline.outages.length > 0) {
    const rows = [
      [
        '#',
        'at s',
        'length s',
        'kind',
        'outlived token',
        'token reqs',
        'token after',
        'AUTH ok after',
        'failed',
        'lost',
      ],
    ];
    timeline.outages.forEach((o, i) => {
      const afterUp = (times: readonly number[]) => {
        const first = times.find((t) => t >= o.upAtMs);
        return first === undefined ? 'never' : `${((first - o.upAtMs) / 1000).toFixed(2)} s`;
      };
      const requestsDuring = tokenRequests.filter(
        (r) => r.timeMs >= o.downAtMs && r.timeMs < o.upAtMs,
      ).length;
      rows.push([
        String(i + 1),
        ((o.downAtMs - facts.runStartMs) / 1000).toFixed(1),
        ((o.upAtMs - o.downAtMs) / 1000).toFixed(1),
        facts.outages[i]!.kind,
        o.outlivedAtMs === undefined ? 'no' : `after ${((o.outlivedAtMs - o.downAtMs) / 1000).toFixed(1)} s`,
        String(requestsDuring),
        afterUp(tokens.map((t) => t.fromMs)),
        afterUp(facts.authOkAtMs),
        String(perOutage[i]!.failed),
        String(perOutage[i]!.lost),
      ]);
    });
    console.log('\nIdP outages (token after / AUTH ok after: first one after the IdP was back):');
    console.log(formatTable(rows));
  }

  const perSecond = new Map<string, number>();
  for (const r of tokenRequests) tally(perSecond, String(Math.floor(r.timeMs / 1000)));
  const outlived = timeline.outages.filter((o) => o.outlivedAtMs !== undefined).length;
  const idpDownMs = timeline.outages.reduce((sum, o) => sum + (o.upAtMs - o.downAtMs), 0);
  const stats = facts.gatewayStats;
  const summary = {
    seed: settings.seed,
    durationS: round1((facts.runEndMs - facts.runStartMs) / 1000),
    flow: settings.flow,
    tokenLifetimeS: tokenLifetimeMs / 1000,
    recoveryAllowanceS: allowances.recoveryMs / 1000,
    idpOutages: timeline.outages.length,
    idpOutagesOutlivingToken: outlived,
    idpDownS: round1(idpDownMs / 1000),
    gatewayKills: facts.kills.length,
    commandsOk: ok,
    commandsFailedWhileIdpDown: failures['idp-down'],
    commandsFailedAfterRecovery: failedAfterRecovery,
    commandsFailedAfterRecoveryBy: {
      tokenValidIdpUp: failures['after-recovery:token-valid'],
      tokenValidIdpDown: failures['after-recovery:token-valid-idp-down'],
      noTokenPastAllowance: failures['after-recovery:no-token'],
    },
    commandsFailedByGatewayKill: failures['gateway-kill'],
    commandsUnsettled: unsettled,
    commandsNotSent: facts.throttled + facts.commands.refused,
    commandsBySource: Object.fromEntries(
      settings.sources.map((name, i) => [name, `${bySource[i]!.ok} ok / ${bySource[i]!.failed} failed`]),
    ),
    errorsWhileIdpDown: top(errorsWhileDown),
    errorsAfterRecovery: top(errorsAfterRecovery),
    messagesPublished: messageCounts.published,
    messagesPublishFailed: messageCounts.publishFailed + messageCounts.publishPending,
    messagesLost: lost,
    messagesLostDuringOutagesOutlivingToken: losses['outage-outliving-token'],
    messagesLostAroundSubscriberKills: losses['subscriber-kill'],
    messagesLostOtherwise: losses.other,
    messagesLostOtherwiseAtS: lostOtherwiseAtS,
    messagesLostAfterServerDelivery: lostAfterServerDelivery,
    duplicateDeliveries: messageCounts.duplicates,
    foreignMessages: facts.messages.foreign,
    pubsubRotations: facts.binding.pubsubRotated,
    bridged: facts.binding.bridged,
    evictions: stats.evicted,
    evictionsByReason: stats.evictedByReason,
    gatewayAuthFailedByReason: stats.authFailedByReason,
    idpTokenRequests: tokenRequests.length,
    idpTokenRequestsOk: tokens.length,
    idpTokenRequestsFaulted: tokenRequests.filter((r) => r.faulted).length,
    idpTokenRequestsPeakPerSecond: Math.max(0, ...perSecond.values()),
    idpOtherRequests: facts.requests.length - tokenRequests.length,
    credentialsUpdated: facts.binding.credentialsUpdated,
    reauthenticated: Object.fromEntries(facts.reauthenticatedVia),
    reauthFailed: facts.binding.reauthFailed,
    providerErrors: facts.binding.providerError,
    providerErrorCauses: top(facts.providerErrors),
    clientErrorEvents: top(facts.clientErrors, 8),
    providerSubscriptionsOpened: facts.subscriptions.opened,
    providerSubscriptionsFailed: facts.subscriptions.failed,
    providerSubscriptionsLiveAtEnd: facts.subscriptionsLiveAtEnd,
    providerSubscriptionsLiveAfterClose: facts.subscriptionsLiveAfterClose,
    providerSubscribersAtEnd: facts.providerSubscribersAtEnd,
    providerSubscribersAfterClose: facts.providerSubscribersAfterClose,
    trackedConnectionsAtEnd: `${facts.trackedConnections.open} open of ${facts.trackedConnections.total}`,
    heapStartMb: round1(facts.heapStartMb),
    heapEndMb: round1(facts.heapEndMb),
  };
  console.log(`\n${JSON.stringify(summary, null, 2)}`);
  return { failedAfterRecovery, lostOtherwise: losses.other };
}
