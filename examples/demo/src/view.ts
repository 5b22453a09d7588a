import { type DemoStats, lostMessages } from './stats';

/** One screen of the live view (TTY) or one plain progress line (pipes, CI logs). */
export function renderLines(stats: DemoStats, nowMs: number, durationSec: number): string[] {
  const elapsedSec = (nowMs - stats.startedAtMs) / 1000;
  const ttlSec =
    stats.tokenExpiresAtMs === undefined ? '-' : ((stats.tokenExpiresAtMs - nowMs) / 1000).toFixed(1);
  return [
    `authx demo — ${elapsedSec.toFixed(0)}s / ${durationSec}s`,
    `  token #${stats.tokens}   expires in ${ttlSec}s   refresh failures ${stats.refreshFailures}`,
    `  connections re-authenticated ${stats.connectionsReauthenticated}   (RESP2 subscriber moved ${stats.pubsubRotations}×)   re-auth failures ${stats.reauthFailures}`,
    `  commands ok ${stats.commandsOk}   failed ${stats.commandsFailed}`,
    `  messages published ${stats.published}   delivered ${stats.delivered}   in flight/lost ${lostMessages(stats)}   duplicates ${stats.duplicates}`,
    `  evictions ${stats.evictions}`,
  ];
}

export function renderPlain(stats: DemoStats, nowMs: number, durationSec: number): string {
  const elapsedSec = ((nowMs - stats.startedAtMs) / 1000).toFixed(0);
  return (
    `[${elapsedSec}s/${durationSec}s] token #${stats.tokens} re-auths=${stats.connectionsReauthenticated} ` +
    `cmds ok=${stats.commandsOk} failed=${stats.commandsFailed} msgs pub=${stats.published} ` +
    `got=${stats.delivered} dup=${stats.duplicates} evictions=${stats.evictions}`
  );
}

/** Redraws a block of lines in place on a terminal. */
export class LiveView {
  private drawn = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(lines: string[]): void {
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of lines) text += `\x1b[2K${line}\n`;
    this.out.write(text);
    this.drawn = lines.length;
  }
}
