import { type RedisGateway, startRedisGateway } from '@authx/emulator';
import { createJwtSigner, type JwtSigner, TEST_GATEWAY_ACCESS } from './jwt-token-provider';

export interface TestGateway {
  readonly gateway: RedisGateway;
  readonly signer: JwtSigner;
  readonly url: string;
  /** AUTH / HELLO AUTH accepted on the gateway connection `id`. */
  authCountOf(id: number): number;
  stop(): Promise<void>;
}

/** A token-checking gateway (Azure Cache for Redis behaviour) in front of a private redis-server. */
export async function startTestGateway(): Promise<TestGateway> {
  const signer = await createJwtSigner();
  const gateway = await startRedisGateway({
    jwks: signer.jwks,
    ...TEST_GATEWAY_ACCESS,
    // The binding's tests use one principal per scenario (so the gateway's per-identity counts
    // and kills stay apart): every one of them is a Data Owner, by this named leniency.
    defaultAccessPolicy: 'Data Owner',
  });
  return {
    gateway,
    signer,
    url: gateway.url,
    authCountOf: (id) => gateway.connections().find((c) => c.id === id)?.authCount ?? 0,
    stop: () => gateway.stop(),
  };
}
