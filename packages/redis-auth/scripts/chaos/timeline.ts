// What happened when, and therefore who is to blame for a failed command or a lost message.
// Pure: built from facts recorded during the run (IdP request log, fault windows, kills,
// subscriber reconnects); every time is epoch ms. The definitions are in chaos.ts's header.

export interface Interval {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface TimelineFacts {
  /** When each token-endpoint fault was injected and withdrawn. */
  readonly outages: readonly { readonly downAtMs: number; readonly upAtMs: number }[];
  /** Every token the IdP issued: [issued, JWT exp). */
  readonly tokens: readonly Interval[];
  /** Kills that closed at least one connection. */
  readonly kills: readonly { readonly atMs: number; readonly hitSubscriber: boolean }[];
  /** `ready` events of the RESP2 subscriber, ascending. */
  readonly subscriberReadyAtMs: readonly number[];
  /**
   * The gateway's evictions for an expired token (ground truth): when, and when that token expired.
   * An issued token is only an estimate of what the client held — a response the provider had
   * already given up on (request timeout) counts as issued but was never used.
   */
  readonly expiryEvictions?: readonly {
    readonly atMs: number;
    readonly tokenExpiresAtMs: number | undefined;
  }[];
}

export interface TimelineAllowances {
  /** After the IdP is back: time the binding gets to obtain a token (its backoff cap), ms. */
  readonly recoveryMs: number;
  /** After a token exists again, or after a kill: time a client gets to reconnect, ms. */
  readonly reconnectMs: number;
  /** A token counts as expired this long before its `exp` (eviction races, exp estimated), ms. */
  readonly expirySlackMs: number;
  /** A failure (not a server reply) this soon after a kill that found the command in flight is the kill's, ms. */
  readonly killSlackMs: number;
}

/** One IdP outage as it happened, with the window in which failures are blamed on it. */
export interface OutageWindow {
  readonly downAtMs: number;
  readonly upAtMs: number;
  /** When no token was valid any more, if that happened before the IdP was back (the outage outlived the token). */
  readonly outlivedAtMs: number | undefined;
  /** First token issued after that (or after the IdP was back), if any. */
  readonly firstTokenAtMs: number | undefined;
  /** Failures issued in [from, to) are "while the IdP was down"; empty unless the outage outlived the token. */
  readonly blame: Interval | undefined;
}

/** Why a command failed, from the binding's point of view. */
export type FailureBucket =
  /** In flight when the gateway killed connections, and failed right then without a server reply: the kill's doing. */
  | 'gateway-kill'
  /** No token was valid and the IdP was down, or back for less than the allowances: expected. */
  | 'idp-down'
  /** A token the IdP issued was valid (IdP up): the binding should have used it. */
  | 'after-recovery:token-valid'
  /** A token was still valid while the IdP was down (a short outage): the binding should have kept working. */
  | 'after-recovery:token-valid-idp-down'
  /** No valid token although the IdP had been back for longer than the recovery allowance. */
  | 'after-recovery:no-token';

/** Why a message was lost. */
export type LossBucket = 'outage-outliving-token' | 'subscriber-kill' | 'other';

export class Timeline {
  readonly outages: readonly OutageWindow[];
  readonly #valid: readonly Interval[];
  readonly #down: readonly Interval[];
  readonly #blame: readonly Interval[];
  readonly #kills: readonly number[];
  readonly #issuedAtMs: readonly number[];
  readonly #subscriberGone: readonly Interval[];
  readonly #expiryEvictions: NonNullable<TimelineFacts['expiryEvictions']>;
  readonly #allowances: TimelineAllowances;

  constructor(facts: TimelineFacts, allowances: TimelineAllowances) {
    this.#allowances = allowances;
    this.#expiryEvictions = facts.expiryEvictions ?? [];
    this.#valid = merge(
      facts.tokens.map((t) => ({ fromMs: t.fromMs, toMs: t.toMs - allowances.expirySlackMs })),
    );
    this.#issuedAtMs = facts.tokens.map((t) => t.fromMs).sort((a, b) => a - b);
    this.#down = merge(facts.outages.map((o) => ({ fromMs: o.downAtMs, toMs: o.upAtMs })));
    this.outages = facts.outages.map((o) => this.#windowOf(o.downAtMs, o.upAtMs));
    this.#blame = merge(this.outages.flatMap((o) => (o.blame ? [o.blame] : [])));
    this.#kills = facts.kills.map((k) => k.atMs).sort((a, b) => a - b);
    this.#subscriberGone = merge(
      facts.kills
        .filter((k) => k.hitSubscriber)
        .map((k) => {
          const ready = facts.subscriberReadyAtMs.find((r) => r > k.atMs) ?? Number.POSITIVE_INFINITY;
          const backMs = Math.min(ready, k.atMs + allowances.reconnectMs) + allowances.expirySlackMs;
          // A message published just before the kill may still have been on its way through the
          // killed socket (pub/sub is at-most-once across a dropped connection).
          return { fromMs: k.atMs - allowances.killSlackMs, toMs: backMs };
        }),
    );
  }

  tokenValidAt(atMs: number): boolean {
    return find(this.#valid, atMs) !== undefined;
  }

  idpDownAt(atMs: number): boolean {
    return find(this.#down, atMs) !== undefined;
  }

  /** Whether `atMs` is inside the blame window of an outage that outlived the token. */
  outageBlamedAt(atMs: number): boolean {
    return find(this.#blame, atMs) !== undefined;
  }

  /**
   * Buckets a command issued at `startMs` that failed at `endMs` (Infinity: never settled);
   * `reply`: the server answered with an error, so no kill can have caused it.
   */
  failure(startMs: number, endMs: number, reply: boolean): FailureBucket {
    const { killSlackMs } = this.#allowances;
    const killed = (k: number) => k >= startMs && k <= endMs && endMs - k <= killSlackMs;
    if (!reply && this.#kills.some(killed)) return 'gateway-kill';
    if (this.outageBlamedAt(startMs)) return 'idp-down';
    if (this.tokenValidAt(startMs))
      return this.idpDownAt(startMs) ? 'after-recovery:token-valid-idp-down' : 'after-recovery:token-valid';
    return 'after-recovery:no-token';
  }

  /** Buckets a message published (PUBLISH sent) at `publishedAtMs` that never arrived. */
  loss(publishedAtMs: number): LossBucket {
    if (this.outageBlamedAt(publishedAtMs)) return 'outage-outliving-token';
    if (find(this.#subscriberGone, publishedAtMs)) return 'subscriber-kill';
    return 'other';
  }

  /** First token issued at or after `atMs`, if any. */
  firstTokenFrom(atMs: number): number | undefined {
    return this.#issuedAtMs.find((issuedAtMs) => issuedAtMs >= atMs);
  }

  #windowOf(downAtMs: number, upAtMs: number): OutageWindow {
    // Walk through valid tokens from the start of the outage: the first instant none is valid.
    // (Merged intervals never touch, so this takes one step; the count bounds it anyway.)
    let atMs = downAtMs;
    for (let i = 0, covering = find(this.#valid, atMs); covering && i <= this.#valid.length; i++) {
      atMs = covering.toMs;
      covering = find(this.#valid, atMs);
    }
    if (atMs >= upAtMs) {
      // The estimate says a token covered the outage; the gateway may know better: a connection
      // evicted for a token that expired after the outage began, before any newer token was
      // issued, proves the outage outlived the token in use (even if it ran out just after the
      // IdP was back, before the provider's next try).
      const newer = this.firstTokenFrom(downAtMs);
      const evidence = this.#expiryEvictions.find(
        (e) =>
          e.atMs >= downAtMs &&
          e.tokenExpiresAtMs !== undefined &&
          e.tokenExpiresAtMs >= downAtMs &&
          (newer === undefined || e.tokenExpiresAtMs <= newer),
      );
      if (!evidence?.tokenExpiresAtMs) {
        return { downAtMs, upAtMs, outlivedAtMs: undefined, firstTokenAtMs: undefined, blame: undefined };
      }
      atMs = evidence.tokenExpiresAtMs - this.#allowances.expirySlackMs;
    }
    const firstTokenAtMs = this.firstTokenFrom(atMs);
    const { recoveryMs, reconnectMs } = this.#allowances;
    const toMs = Math.min(upAtMs + recoveryMs, (firstTokenAtMs ?? Number.POSITIVE_INFINITY) + reconnectMs);
    return {
      downAtMs,
      upAtMs,
      outlivedAtMs: atMs,
      firstTokenAtMs,
      blame: { fromMs: atMs, toMs: Math.max(toMs, upAtMs) },
    };
  }
}

/** Sorted, with overlapping or touching intervals joined; empty intervals dropped. */
export function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.toMs > i.fromMs).sort((a, b) => a.fromMs - b.fromMs);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.fromMs <= last.toMs) {
      merged[merged.length - 1] = { fromMs: last.fromMs, toMs: Math.max(last.toMs, interval.toMs) };
    } else merged.push(interval);
  }
  return merged;
}

/** The merged interval containing `atMs` (from inclusive, to exclusive), by binary search. */
function find(merged: readonly Interval[], atMs: number): Interval | undefined {
  let low = 0;
  let high = merged.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const interval = merged[middle]!;
    if (atMs < interval.fromMs) high = middle - 1;
    else if (atMs >= interval.toMs) low = middle + 1;
    else return interval;
  }
  return undefined;
}
