/**
 * What the port says about the tier, for messages: Azure Cache for Redis serves TLS on 6380 and
 * (when enabled, off by default) plain TCP on 6379; Azure Managed Redis serves TLS on 10000.
 */
export function portHint(url: URL): string {
  const tls = url.protocol === 'rediss:';
  const port = Number(url.port || 6379);
  const host = url.hostname;
  if (host.endsWith('.redis.cache.windows.net') && port !== 6380) {
    return `Azure Cache for Redis listens on 6380 (TLS): use rediss://${host}:6380${port === 6379 ? ' (the non-TLS port 6379 is off by default)' : ''}`;
  }
  if (host.endsWith('.redis.azure.net') && port !== 10000) {
    return `Azure Managed Redis listens on 10000 (TLS): use rediss://${host}:10000`;
  }
  if (port === 6380 && !tls)
    return "port 6380 is Azure Cache for Redis's TLS port: use rediss:// (not redis://)";
  if (port === 10000 && !tls) return 'port 10000 is Azure Managed Redis (TLS only): use rediss://';
  if (port === 6379 && tls)
    return 'port 6379 is the non-TLS port: TLS is on 6380 (Azure Cache for Redis) or 10000 (Azure Managed Redis)';
  if (port === 6379)
    return "port 6379 is Azure Cache for Redis's non-TLS port, off by default: use rediss://<host>:6380";
  return `port ${port} is not an Azure port: Azure Cache for Redis uses 6380 (TLS; 6379 non-TLS, off by default), Azure Managed Redis 10000 (TLS)`;
}
