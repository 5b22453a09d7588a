import { Agent } from 'node:https';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { EntraEmulator } from '../../../src';

/** Verifies an emulator token against the JWKS fetched over HTTPS (trusting the emulator CA). */
export async function verifyWithJwks(
  emulator: EntraEmulator,
  token: string,
  expected: { issuer?: string; audience?: string } = {},
): Promise<JWTPayload> {
  const agent = new Agent({ ca: emulator.caPem });
  try {
    const jwks = createRemoteJWKSet(new URL(emulator.jwksUri()), {
      agent,
      cacheMaxAge: 0,
      cooldownDuration: 0,
    });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      algorithms: ['RS256'],
      issuer: expected.issuer,
      audience: expected.audience,
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    return payload;
  } finally {
    agent.destroy();
  }
}
