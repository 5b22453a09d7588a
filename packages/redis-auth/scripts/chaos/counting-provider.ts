// The provider as the binding sees it, with its subscriptions counted: how many the binding opened,
// and how many it still holds (at the end of a run, and once every connection is closed).
import type { EntraidCredentialsProvider } from '@authx/entraid';

export interface SubscriptionCounts {
  opened: number;
  failed: number;
  disposed: number;
}

/**
 * The provider as the binding sees it, counting `subscribe()` calls and disposals; everything else
 * is forwarded to the provider itself (methods bound to it, so its private fields work).
 */
export function countSubscriptions(provider: EntraidCredentialsProvider): {
  provider: EntraidCredentialsProvider;
  counts: SubscriptionCounts;
} {
  const counts: SubscriptionCounts = { opened: 0, failed: 0, disposed: 0 };
  const subscribe: EntraidCredentialsProvider['subscribe'] = async (listener) => {
    counts.opened++;
    let result: Awaited<ReturnType<EntraidCredentialsProvider['subscribe']>>;
    try {
      result = await provider.subscribe(listener);
    } catch (error) {
      counts.failed++;
      throw error;
    }
    const [credentials, subscription] = result;
    let disposed = false;
    const dispose = (): void => {
      if (!disposed) counts.disposed++;
      disposed = true;
      subscription.dispose();
    };
    return [credentials, { dispose, [Symbol.dispose]: dispose }];
  };
  const proxy = new Proxy(provider, {
    get(target, key) {
      if (key === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { provider: proxy, counts };
}

/** Subscriptions opened and not disposed. */
export function liveSubscriptions(counts: SubscriptionCounts): number {
  return counts.opened - counts.failed - counts.disposed;
}
