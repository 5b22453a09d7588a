/**
 * Throughput of the token-checking gateway vs. the redis-server behind it: pipelined SET/GET over
 * raw sockets (so client-side parsing does not hide the proxy's cost). Run from the package:
 *   pnpm bench        (or: pnpm exec tsx bench/gateway.ts)
 * Env: BENCH_SECONDS (default 3 per target), BENCH_CONNECTIONS (default 4), BENCH_PIPELINE (default 500).
 */
import { connect, type Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startRedisGateway, startRedisServer } from '../src';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const PIPELINE = Number(process.env.BENCH_PIPELINE ?? 500);
const VALUE = 'x'.repeat(32);

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

async function open(port: number, auth?: string[]): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  if (auth) {
    socket.write(encode(auth));
    const reply = await new Promise<string>((resolve) =>
      socket.once('data', (data) => resolve(data.toString())),
    );
    if (reply !== '+OK\r\n') throw new Error(`AUTH failed: ${reply.trim()}`);
  }
  return socket;
}

/** Runs pipelined batches (half SET, half GET) for SECONDS; returns operations per second. */
async function measure(port: number, auth?: string[]): Promise<number> {
  const batch: string[] = [];
  for (let i = 0; i < PIPELINE / 2; i++) {
    batch.push(encode(['SET', `key:${i}`, VALUE]), encode(['GET', `key:${i}`]));
  }
  const request = Buffer.from(batch.join(''));
  // Replies are deterministic: +OK for SET, the value for GET; count bytes instead of parsing.
  const replyBytes = (PIPELINE / 2) * (5 + `$${VALUE.length}\r\n${VALUE}\r\n`.length);
  const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, () => open(port, auth)));
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  let operations = 0;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let received = 0;
          socket.on('data', (chunk: Buffer) => {
            received += chunk.length;
            while (received >= replyBytes) {
              received -= replyBytes;
              operations += PIPELINE;
              if (Date.now() >= deadline) {
                resolve();
                return;
              }
              socket.write(request);
            }
          });
          socket.write(request);
        }),
    ),
  );
  const elapsedSeconds = (Date.now() - started) / 1000;
  for (const socket of sockets) socket.destroy();
  return operations / elapsedSeconds;
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256' }] };
  const oid = '00000000-0000-0000-0000-000000000001';
  const tenantId = '11111111-1111-4111-8111-111111111111';
  const gateway = await startRedisGateway({
    jwks,
    tenants: [tenantId],
    accessPolicyAssignments: [{ objectId: oid, accessPolicyName: 'Data Owner' }],
    backend: { host: server.host, port: server.port },
  });
  const token = await new SignJWT({ oid, tid: tenantId })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setAudience('https://redis.azure.com')
    .setExpirationTime('1h')
    .sign(privateKey);
  try {
    await measure(server.port); // warm-up
    const direct = await measure(server.port);
    const viaGateway = await measure(gateway.port, ['AUTH', oid, token]);
    const ratio = viaGateway / direct;
    const format = (value: number) => Math.round(value).toLocaleString('en-US');
    console.log(
      `pipelined SET/GET, ${CONNECTIONS} connections × ${PIPELINE} commands per batch, ${SECONDS} s each`,
    );
    console.log(`direct redis-server : ${format(direct)} ops/s`);
    console.log(`through the gateway : ${format(viaGateway)} ops/s`);
    console.log(`ratio               : ${ratio.toFixed(2)} (target >= 0.50)`);
  } finally {
    await gateway.stop();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
