// Keeping a chaos run on this machine and leaving nothing behind: loopback-only traffic, and no
// redis-server of the run survives it (normal end, error, Ctrl-C, or exit).
import { readFileSync, rmSync } from 'node:fs';
import type { LocalAzureRedis, MsalNetworkModule, RedisServer } from '@authx/emulator';

/** An MSAL network client that refuses anything but 127.0.0.1: the run never leaves the machine. */
export function loopbackOnly(inner: MsalNetworkModule): MsalNetworkModule {
  const checked = (url: string): string => {
    const { hostname, origin } = new URL(url);
    if (hostname !== '127.0.0.1') throw new Error(`chaos: refusing a request to ${origin} (127.0.0.1 only)`);
    return url;
  };
  return {
    sendGetRequestAsync: async (url, options, timeout) =>
      inner.sendGetRequestAsync(checked(url), options, timeout),
    sendPostRequestAsync: async (url, options) => inner.sendPostRequestAsync(checked(url), options),
  };
}

export function assertLoopback(azure: LocalAzureRedis): void {
  for (const url of [azure.redisUrl, azure.authority, azure.managedIdentityEndpoint]) {
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`chaos: ${url} is not on 127.0.0.1`);
  }
}

const liveRedisServers = new Set<RedisServer>();

/** Kills, by pid, the redis-servers of this run still registered (synchronous: safe in 'exit'). */
export function killLeftoverRedisServers(): void {
  for (const server of liveRedisServers) {
    liveRedisServers.delete(server);
    if (isRedisServer(server.pid)) {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(server.dir, { recursive: true, force: true });
  }
}

/** Guards against a recycled pid: on Linux, only a process whose command line is redis-server. */
function isRedisServer(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return process.platform !== 'linux';
  }
}

/** Remembers the emulator's redis-servers until {@link stopEmulator} has seen them stop. */
export function registerRedisServers(azure: LocalAzureRedis): void {
  for (const server of azure.redisServers) liveRedisServers.add(server);
}

/** Stops the emulator; if that takes longer than `timeoutMs`, kills its redis-servers by pid. */
export async function stopEmulator(azure: LocalAzureRedis, timeoutMs: number): Promise<void> {
  const stopped = await Promise.race([
    azure.stop().then(() => true),
    new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref()),
  ]);
  if (stopped) for (const server of azure.redisServers) liveRedisServers.delete(server);
  else console.error(`chaos: the emulator did not stop within ${timeoutMs} ms; killing its redis-server`);
  killLeftoverRedisServers();
}
