import { allMet } from './expectations';
import type { GatewayStats } from './target';
import type { TrafficResult } from './traffic';

/** Token refreshes an emulator run must show: the first token plus at least two rotations. */
const MIN_EMULATOR_TOKENS = 3;

/** What a single-connection SET/GET run measured. */
export interface KeyValueReport {
  readonly mode: 'emulator' | 'azure';
  readonly tokens: number;
  readonly reauths: number;
  readonly traffic: TrafficResult;
  /** The gateway's counters (emulator mode). */
  readonly gateway: GatewayStats | undefined;
  /** More `name: value` figures for the summary line, printed before the gateway's. */
  readonly details?: readonly string[];
}

/**
 * Prints the summary line and checks what every single-connection example promises: no command
 * failed, commands ran, ≥ 3 tokens (emulator), no connection evicted. True when all are met.
 */
export function reportKeyValue({
  mode,
  tokens,
  reauths,
  traffic,
  gateway,
  details = [],
}: KeyValueReport): boolean {
  const figures = [
    `tokens acquired: ${tokens}`,
    `re-authentications: ${reauths}`,
    `commands ok: ${traffic.ok}`,
    `failed: ${traffic.failed}`,
    ...details,
    ...(gateway ? [`gateway evictions: ${gateway.evicted}`] : []),
  ];
  console.log(figures.join(', '));
  return allMet({
    'no command failed': traffic.failed === 0,
    'commands ran': traffic.ok > 0,
    [`at least ${MIN_EMULATOR_TOKENS} tokens (emulator)`]: mode === 'azure' || tokens >= MIN_EMULATOR_TOKENS,
    'no connection evicted': (gateway?.evicted ?? 0) === 0,
  });
}
