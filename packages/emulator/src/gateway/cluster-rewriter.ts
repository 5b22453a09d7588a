import type { ReplyRewriter } from './connection-types';
import { nodeText, type RespNode } from './resp-value';

/** Where a backend cluster node is reachable through the gateway. */
export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Replaces backend node addresses with gateway addresses in what a cluster client reads to find
 * nodes: `CLUSTER SLOTS`, `CLUSTER SHARDS`, `CLUSTER NODES` and `-MOVED` / `-ASK` redirections.
 * Addresses it does not know are left as they are.
 */
export class ClusterAddressRewriter implements ReplyRewriter {
  /** Keyed by `host:port` of the backend node. */
  private readonly addresses = new Map<string, GatewayAddress>();

  map(backend: { host: string; port: number }, gateway: GatewayAddress): void {
    this.addresses.set(`${backend.host}:${backend.port}`, gateway);
  }

  private lookup(host: string, port: number): GatewayAddress | undefined {
    const exact = this.addresses.get(`${host}:${port}`);
    if (exact || host !== '') return exact;
    // Redis may omit the host (unknown endpoint): match by port alone.
    for (const [key, address] of this.addresses) if (key.endsWith(`:${port}`)) return address;
    return undefined;
  }

  rewriteRedirection(line: string): string | undefined {
    const match = /^(MOVED|ASK) (\d+) (.*):(\d+)$/.exec(line);
    if (!match) return undefined;
    const address = this.lookup(match[3], Number(match[4]));
    return address ? `${match[1]} ${match[2]} ${address.host}:${address.port}` : undefined;
  }

  rewriteTopology(subcommand: 'slots' | 'shards' | 'nodes', reply: RespNode): RespNode {
    if (subcommand === 'slots') return this.rewriteSlots(reply);
    if (subcommand === 'shards') return this.rewriteShards(reply);
    return this.rewriteNodes(reply);
  }

  /** `[[from, to, [ip, port, id, …], …replicas], …]` */
  private rewriteSlots(reply: RespNode): RespNode {
    for (const range of reply.items ?? []) {
      for (const node of range.items?.slice(2) ?? []) {
        const [ip, port] = node.items ?? [];
        const address = ip && port ? this.lookup(nodeText(ip) ?? '', Number(port.text)) : undefined;
        if (!address) continue;
        node.items![0] = { marker: 36, data: Buffer.from(address.host) };
        node.items![1] = { marker: 58, text: String(address.port) };
      }
    }
    return reply;
  }

  /** `[{slots: […], nodes: [{id, port, ip, endpoint, …}, …]}, …]` as arrays (RESP2) or maps (RESP3). */
  private rewriteShards(reply: RespNode): RespNode {
    for (const shard of reply.items ?? []) {
      const nodes = fieldValue(shard, 'nodes');
      for (const node of nodes?.items ?? []) {
        const ip = fieldValue(node, 'ip');
        const port = fieldValue(node, 'port') ?? fieldValue(node, 'tls-port');
        const address = ip && port ? this.lookup(nodeText(ip) ?? '', Number(port.text)) : undefined;
        if (!address) continue;
        const original = nodeText(ip);
        const pairs = node.items!;
        for (let i = 0; i + 1 < pairs.length; i += 2) {
          const key = nodeText(pairs[i]);
          if (key === 'ip' || (key === 'endpoint' && nodeText(pairs[i + 1]) === original)) {
            pairs[i + 1] = { marker: 36, data: Buffer.from(address.host) };
          } else if (key === 'port' || key === 'tls-port') {
            pairs[i + 1] = { marker: 58, text: String(address.port) };
          }
        }
      }
    }
    return reply;
  }

  /** Text lines `<id> <ip:port@cport[,hostname]> <flags> …` */
  private rewriteNodes(reply: RespNode): RespNode {
    if (!reply.data) return reply;
    const text = reply.data
      .toString('utf8')
      .split('\n')
      .map((line) => {
        const fields = line.split(' ');
        const match = fields[1] ? /^(.*):(\d+)(@.*)$/.exec(fields[1]) : null;
        const address = match ? this.lookup(match[1], Number(match[2])) : undefined;
        if (!match || !address) return line;
        fields[1] = `${address.host}:${address.port}${match[3]}`;
        return fields.join(' ');
      })
      .join('\n');
    return { marker: reply.marker, data: Buffer.from(text) };
  }
}

/** Value for `key` in a map, or in an array of alternating keys and values. */
function fieldValue(node: RespNode, key: string): RespNode | undefined {
  const items = node.items ?? [];
  for (let i = 0; i + 1 < items.length; i += 2) if (nodeText(items[i]) === key) return items[i + 1];
  return undefined;
}
