import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { type EntraEmulator, startEntraEmulator } from '../../src';
import { verifyWithJwks } from './support/verify-token';

describe('Entra emulator › signing key rotation', () => {
  let emulator: EntraEmulator;
  let nowMs = Date.now();

  beforeAll(async () => {
    emulator = await startEntraEmulator({ now: () => nowMs, previousKeyRetentionSec: 600 });
  });
  afterAll(() => emulator.stop());

  it('signs with the new key and keeps the previous one published for previousKeyRetentionSec', async () => {
    const before = await emulator.issueAccessToken();
    const oldKid = decodeProtectedHeader(before.accessToken).kid;

    const newKid = await emulator.rotateSigningKey();
    expect(newKid).not.toBe(oldKid);
    const after = await emulator.issueAccessToken();
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid);
    expect(emulator.jwks().keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    // Both verify against the JWKS served over HTTPS.
    await verifyWithJwks(emulator, before.accessToken);
    await verifyWithJwks(emulator, after.accessToken);

    nowMs += 600_000;
    expect(emulator.jwks().keys.map((key) => key.kid)).toEqual([newKid]);
    const jwks = createLocalJWKSet(emulator.jwks());
    await expect(
      jwtVerify(before.accessToken, jwks, { currentDate: new Date(nowMs - 600_000) }),
    ).rejects.toThrow(/no applicable key/i);
  });

  it('drops the previous key at once with dropPrevious (an abrupt rotation)', async () => {
    const before = await emulator.issueAccessToken();
    const newKid = await emulator.rotateSigningKey({ dropPrevious: true });
    expect(emulator.jwks().keys.map((key) => key.kid)).toEqual([newKid]);
    await expect(verifyWithJwks(emulator, before.accessToken)).rejects.toThrow();
  });
});
