/** Commands whose replies are (un)subscribe confirmations rather than one ordinary reply. */
export type PubSubVerb =
  | 'subscribe'
  | 'psubscribe'
  | 'ssubscribe'
  | 'unsubscribe'
  | 'punsubscribe'
  | 'sunsubscribe';

export const PUBSUB_VERBS: ReadonlySet<string> = new Set<PubSubVerb>([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

/** Kinds of published messages: never a reply to a command. */
export const PUBSUB_MESSAGES: ReadonlySet<string> = new Set(['message', 'pmessage', 'smessage']);

/** The channels, patterns and shard channels a connection is subscribed to, from the confirmations seen. */
export class Subscriptions {
  private readonly channels = new Set<string>();
  private readonly patterns = new Set<string>();
  private readonly shardChannels = new Set<string>();

  get active(): boolean {
    return this.channels.size + this.patterns.size + this.shardChannels.size > 0;
  }

  /** How many subscriptions of the kind `verb` acts on exist now. */
  count(verb: PubSubVerb): number {
    return this.setFor(verb).size;
  }

  /** Applies one confirmation (`name` is absent for an unsubscribe-all with nothing subscribed). */
  confirm(verb: PubSubVerb, name: string | undefined): void {
    if (name === undefined) return;
    if (verb.includes('unsub')) this.setFor(verb).delete(name);
    else this.setFor(verb).add(name);
  }

  clear(): void {
    this.channels.clear();
    this.patterns.clear();
    this.shardChannels.clear();
  }

  private setFor(verb: PubSubVerb): Set<string> {
    if (verb.endsWith('psubscribe')) return this.patterns;
    if (verb.endsWith('ssubscribe')) return this.shardChannels;
    return this.channels;
  }
}
