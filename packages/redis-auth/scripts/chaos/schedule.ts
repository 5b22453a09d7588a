// The chaos plan: IdP outages and gateway kills, drawn from a seeded PRNG before the run starts,
// so `--seed N` replays the same plan (the outcomes still depend on real timing).

/** How the token endpoint fails during an outage. */
export type OutageKind = '503' | 'reset' | 'hang';

/** Which gateway connections a kill closes. */
export type KillKind = 'all' | 'subscribed' | 'one';

export interface PlannedOutage {
  /** Offset from the start of the run, ms. */
  readonly atMs: number;
  readonly durationMs: number;
  readonly kind: OutageKind;
}

export interface PlannedKill {
  /** Offset from the start of the run, ms. */
  readonly atMs: number;
  readonly kind: KillKind;
  /** In [0, 1): which of the open connections a `one` kill picks (index = ⌊pick × count⌋). */
  readonly pick: number;
}

export interface ChaosPlan {
  readonly outages: readonly PlannedOutage[];
  readonly kills: readonly PlannedKill[];
  /** Outages end by this offset (ms): the rest of the run is a calm tail. */
  readonly lastOutageEndMs: number;
}

export interface PlanOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Time the binding gets to recover after the IdP is back (the calm tail is this + 10 s), ms. */
  readonly recoveryAllowanceMs: number;
}

/** No chaos during the first seconds: the clients connect and settle. */
export const WARMUP_MS = 5_000;
export const OUTAGE_MIN_MS = 500;
export const OUTAGE_MAX_MS = 20_000;
/** Healthy time between outages: usually 3–15 s; one gap in four outlasts the recovery allowance. */
const SHORT_GAP_MS = [3_000, 15_000] as const;
const CALM_GAP_CHANCE = 0.25;
const KILL_GAP_MS = [5_000, 20_000] as const;
const OUTAGE_KINDS: readonly OutageKind[] = ['503', 'reset', 'hang'];
const KILL_KINDS: readonly KillKind[] = ['all', 'subscribed', 'one'];

/** mulberry32: a small, fast 32-bit PRNG; returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Draws the plan. Outage lengths are log-uniform in 0.5–20 s (as many below 2 s as between 2 and
 * 20 s, roughly), kinds uniform. Outages end at least `recoveryAllowanceMs + 10 s` before the end,
 * so every run finishes with a calm stretch in which a binding that never recovers is counted.
 * Outages and kills use separate streams, so one never shifts the other.
 */
export function planChaos({ seed, durationMs, recoveryAllowanceMs }: PlanOptions): ChaosPlan {
  const outageRandom = mulberry32(seed);
  const killRandom = mulberry32(seed ^ 0x9e3779b9);
  const lastOutageEndMs = durationMs - recoveryAllowanceMs - 10_000;
  const outages: PlannedOutage[] = [];
  let atMs = WARMUP_MS + outageRandom() * SHORT_GAP_MS[0];
  // At most one outage per 3.5 s (shortest gap + shortest outage): a bound on the loop.
  for (let i = 0; i < durationMs / 3_500 && atMs + OUTAGE_MIN_MS <= lastOutageEndMs; i++) {
    const drawnMs = OUTAGE_MIN_MS * (OUTAGE_MAX_MS / OUTAGE_MIN_MS) ** outageRandom();
    const durationOfOutageMs = Math.round(Math.min(drawnMs, lastOutageEndMs - atMs));
    const kind = OUTAGE_KINDS[Math.floor(outageRandom() * OUTAGE_KINDS.length)]!;
    outages.push({ atMs: Math.round(atMs), durationMs: durationOfOutageMs, kind });
    const gapMs =
      outageRandom() < CALM_GAP_CHANCE
        ? recoveryAllowanceMs + 2_000 + outageRandom() * 10_000
        : between(outageRandom(), SHORT_GAP_MS);
    atMs += durationOfOutageMs + gapMs;
  }
  const kills: PlannedKill[] = [];
  let killAtMs = WARMUP_MS + between(killRandom(), KILL_GAP_MS);
  for (let i = 0; i < durationMs / KILL_GAP_MS[0] && killAtMs < durationMs - 2_000; i++) {
    const kind = KILL_KINDS[Math.floor(killRandom() * KILL_KINDS.length)]!;
    kills.push({ atMs: Math.round(killAtMs), kind, pick: killRandom() });
    killAtMs += between(killRandom(), KILL_GAP_MS);
  }
  return { outages, kills, lastOutageEndMs };
}

function between(random: number, [low, high]: readonly [number, number]): number {
  return low + random * (high - low);
}
