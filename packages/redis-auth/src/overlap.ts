/** One pub/sub message as received: payload and the channel it was published on. */
export interface ReceivedMessage {
  readonly message: Buffer;
  readonly channel: Buffer;
}

function same(a: ReceivedMessage, b: ReceivedMessage): boolean {
  return a.message.equals(b.message) && a.channel.equals(b.channel);
}

/**
 * How many of the first messages of `after` were already seen at the end of `before`, when
 * `after` may still be incomplete (its connection lags behind): the smallest start `j` in
 * `before` such that `before[j..]` and `after` agree on their common length gives
 * `before.length - j`. Both lists are slices of one server-ordered stream (Redis fans a PUBLISH out
 * to every subscriber in the same order). Returns `undefined` while `after` is empty.
 */
export function overlapLength(
  before: readonly ReceivedMessage[],
  after: readonly ReceivedMessage[],
): number | undefined {
  if (after.length === 0) return undefined;
  for (let start = 0; start < before.length; start++) {
    const common = Math.min(before.length - start, after.length);
    let matches = true;
    for (let i = 0; i < common; i++) {
      if (!same(before[start + i] as ReceivedMessage, after[i] as ReceivedMessage)) {
        matches = false;
        break;
      }
    }
    if (matches) return before.length - start;
  }
  return 0;
}

/**
 * Smallest index `p >= from` such that `bridge[p..]` is a prefix of `resumed`: from `p` on, the
 * resumed connection has (or will deliver) the messages itself. Returns `bridge.length` when no
 * suffix of the bridge stream reappears on the resumed connection.
 */
export function resumePoint(
  bridge: readonly ReceivedMessage[],
  resumed: readonly ReceivedMessage[],
  from: number,
): number {
  for (let p = Math.max(0, from); p < bridge.length; p++) {
    const length = bridge.length - p;
    if (length > resumed.length) continue;
    let matches = true;
    for (let i = 0; i < length; i++) {
      if (!same(bridge[p + i] as ReceivedMessage, resumed[i] as ReceivedMessage)) {
        matches = false;
        break;
      }
    }
    if (matches) return p;
  }
  return bridge.length;
}
