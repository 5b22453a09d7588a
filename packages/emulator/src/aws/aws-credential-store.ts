import { randomBytes } from 'node:crypto';
import type { GatewayClock } from '../gateway/clock';
import { systemClock } from '../gateway/clock';

/** An AWS access key pair as IAM knows it. `sessionToken` and `expiresAtMs` only for temporary ones. */
export interface AwsKeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Epoch ms after which the pair no longer signs valid requests (temporary credentials). */
  readonly expiresAtMs?: number;
}

/** The AWS documentation's example key pair (long-term, `AKIA…`), useful for published test vectors. */
export const AWS_EXAMPLE_KEY_PAIR: AwsKeyPair = Object.freeze({
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
});

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function keyId(prefix: 'AKIA' | 'ASIA'): string {
  const bytes = randomBytes(16);
  let id = prefix;
  for (let i = 0; i < 16; i++) id += KEY_ID_ALPHABET[bytes[i] % 32];
  return id;
}

/**
 * The emulator's IAM: which access keys exist, their secrets, and — for temporary credentials —
 * session tokens and expiry. Shared by the container credentials endpoint (which issues) and the
 * ElastiCache / MemoryDB gateways (which verify). Never prints a secret (`toJSON`, inspect).
 */
export class AwsCredentialStore {
  readonly #keys = new Map<string, AwsKeyPair>();
  readonly #clock: GatewayClock;
  #issued = 0;

  constructor(options: { clock?: GatewayClock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Registers a long-term key pair (default: a fresh random `AKIA…` pair) and returns it. */
  addLongTermKey(pair?: { accessKeyId: string; secretAccessKey: string }): AwsKeyPair {
    const key: AwsKeyPair = Object.freeze({
      accessKeyId: pair?.accessKeyId ?? keyId('AKIA'),
      secretAccessKey: pair?.secretAccessKey ?? randomBytes(30).toString('base64'),
    });
    this.#keys.set(key.accessKeyId, key);
    return key;
  }

  /** Issues temporary credentials (`ASIA…` + session token) valid for `lifetimeMs`. */
  issueTemporary(lifetimeMs: number): AwsKeyPair & { readonly expiresAtMs: number } {
    const key = Object.freeze({
      accessKeyId: keyId('ASIA'),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJemulator${randomBytes(48).toString('base64')}`,
      expiresAtMs: this.#clock.now() + lifetimeMs,
    });
    this.#keys.set(key.accessKeyId, key);
    this.#issued++;
    return key;
  }

  /** The key pair of `accessKeyId`, if it exists (expired temporary ones included). */
  lookup(accessKeyId: string): AwsKeyPair | undefined {
    return this.#keys.get(accessKeyId);
  }

  /** Deletes a key pair: requests it signed are refused from now on. */
  revoke(accessKeyId: string): boolean {
    return this.#keys.delete(accessKeyId);
  }

  /** Temporary credentials issued so far. */
  get temporaryIssued(): number {
    return this.#issued;
  }

  toJSON(): object {
    return { keys: this.#keys.size, temporaryIssued: this.#issued };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AwsCredentialStore { keys: ${this.#keys.size}, temporaryIssued: ${this.#issued} }`;
  }
}
