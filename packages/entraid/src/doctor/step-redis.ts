import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { errnoOf, TRUST_FIX, UNTRUSTED_CERTIFICATE_CODES } from './describe-failure';
import { portHint } from './port-hint';
import { RespConnection, RespConnectionError } from './resp-connection';
import { trustedCas } from './trust';
import { type DoctorConfig, fail, pass, type StepResult } from './types';

const TITLE = 'redis reachable';

/** Outcome of the reachability step: an open connection for the AUTH step. */
export interface RedisOutcome {
  result: StepResult;
  connection?: RespConnection;
}

/** Step 4: DNS, TCP, then TLS (rediss) or a pre-auth PING (redis) to see that Redis answers. */
export async function checkRedisReachable(config: DoctorConfig): Promise<RedisOutcome> {
  const url = config.redisUrl;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 6379);
  const tls = url.protocol === 'rediss:';
  const failed = (code: string, detail: string, cause: string, fix: string): RedisOutcome => ({
    result: fail('redis', TITLE, { code, detail, cause, fix, data: { host, port, tls } }),
  });

  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch (error) {
      return failed(
        'REDIS_DNS_FAILED',
        `DNS: ${host} does not resolve (${errnoOf(error) ?? 'error'})`,
        `the host name ${host} is unknown to this machine's DNS`,
        'check the host name (Azure Cache for Redis: <name>.redis.cache.windows.net; Azure Managed Redis: <name>.<region>.redis.azure.net); with a private endpoint, the privatelink DNS zone must be linked to this network',
      );
    }
  }

  let socket: Socket;
  const startMs = Date.now();
  try {
    socket = await openTcp(address, port, config.timeoutMs);
  } catch (error) {
    const code = errnoOf(error) ?? 'ERROR';
    if (code === 'ECONNREFUSED') {
      return failed(
        'REDIS_CONNECTION_REFUSED',
        `TCP: ${host}:${port} refused the connection`,
        `nothing listens on port ${port}; ${portHint(url)}`,
        `use the cache's port: ${portHint(url)}`,
      );
    }
    if (code === 'ETIMEDOUT') {
      return failed(
        'REDIS_CONNECT_TIMEOUT',
        `TCP: no answer from ${host}:${port} within ${config.timeoutMs} ms`,
        `a firewall, NSG or the cache's network settings drop the connection, or the port is wrong (${portHint(url)})`,
        "allow outbound TCP to the port; check the cache's firewall / public network access / private endpoint settings",
      );
    }
    return failed(
      'REDIS_UNREACHABLE',
      `TCP: ${host}:${port}: ${code}`,
      `cannot connect to ${host}:${port}`,
      'check the URL and the network path to the cache',
    );
  }

  if (tls) {
    try {
      socket = await startTls(socket, host, trustedCas(config.caPem), config.timeoutMs);
    } catch (error) {
      socket.destroy();
      const code = errnoOf(error) ?? 'ERROR';
      if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
        return failed(
          'REDIS_TLS_UNTRUSTED_CERTIFICATE',
          `TLS: the certificate of ${host}:${port} is not trusted (${code})`,
          "the server's certificate was issued by a CA this machine does not trust",
          TRUST_FIX,
        );
      }
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        return failed(
          'REDIS_TLS_HOSTNAME_MISMATCH',
          `TLS: the certificate of ${host}:${port} is not valid for ${host}`,
          'the URL names a host the certificate does not cover (an IP address, or a private-endpoint name instead of the cache name)',
          "connect with the cache's own host name (<name>.redis.cache.windows.net / <name>.<region>.redis.azure.net)",
        );
      }
      if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
        return failed(
          'REDIS_TLS_CERTIFICATE_DATES',
          `TLS: the certificate of ${host}:${port} is outside its validity dates (${code})`,
          "an expired certificate, or this machine's clock is wrong",
          'check the system clock; if it is right, the server certificate must be renewed',
        );
      }
      if (code === 'EPROTO' || code === 'ECONNRESET' || code === 'TIMEOUT' || code.startsWith('ERR_SSL')) {
        return failed(
          'REDIS_TLS_NOT_SPOKEN',
          `TLS: ${host}:${port} did not complete a TLS handshake (${code})`,
          `the port does not speak TLS; ${portHint(url)}`,
          `use redis:// for a non-TLS port, or the TLS port: ${portHint(url)}`,
        );
      }
      return failed(
        'REDIS_TLS_FAILED',
        `TLS: handshake with ${host}:${port} failed (${code})`,
        'TLS handshake failure',
        'check the URL, the port and the certificate the server presents',
      );
    }
  }

  const connection = new RespConnection(socket);
  if (!tls) {
    // Before AUTH Redis still answers PING (PONG, or NOAUTH): proof that Redis, not a TLS port, is there.
    try {
      await connection.command(['PING'], config.timeoutMs);
    } catch (error) {
      connection.close();
      const code = error instanceof RespConnectionError ? error.code : 'ERROR';
      return failed(
        'REDIS_PLAINTEXT_REFUSED',
        `TCP: ${host}:${port} accepted the connection but did not answer a plain PING (${code})`,
        `the port expects TLS; ${portHint(url)}`,
        `use rediss://${url.host}`,
      );
    }
  }
  const tookMs = Date.now() - startMs;
  return {
    result: pass(
      'redis',
      TITLE,
      `${tls ? 'TLS' : 'TCP (no TLS)'} to ${host}:${port}${address !== host ? ` (${address})` : ''} in ${tookMs} ms`,
      { host, address, port, tls, tookMs },
    ),
    connection,
  };
}

function openTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function startTls(
  socket: Socket,
  servername: string,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      servername: isIP(servername) === 0 ? servername : undefined,
      host: servername,
      ...(ca ? { ca } : {}),
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(Object.assign(new Error('TLS handshake timed out'), { code: 'TIMEOUT' }));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve(secure);
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    secure.once('close', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('closed during the TLS handshake'), { code: 'ECONNRESET' }));
    });
  });
}
