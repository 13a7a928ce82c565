/**
 * The key ring for asymmetric access tokens (JWT_ALGORITHM EdDSA or ES256). Keys live in the
 * database so every instance signs and verifies with the same set; the first key is created on
 * first use. The newest live key whose `signs_from` has come signs; every live key verifies and
 * is published in the JWKS (a rotated key from the moment it is made: publish before sign).
 * The table is re-read every `reloadMs` (SIGNING_KEY_RELOAD_SECONDS): see key-rotation.ts.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db } from '../db/connect.ts';
import { insertSigningKey, liveSigningKeys, type SigningKeyRow } from '../queries/signing-keys.ts';
import { decryptSecret, encryptSecret } from '../security/key-encryption.ts';

export type AsymmetricAlgorithm = 'EdDSA' | 'ES256';

export interface KeyRing {
  readonly algorithm: AsymmetricAlgorithm;
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
  /** The public key for a kid; an unknown kid re-reads the table (at most every 5 s). */
  verificationKey(kid: string): Promise<CryptoKey | null>;
  jwks(): Promise<{ keys: JWK[] }>;
}

/** How often an unknown kid may trigger a re-read: forged kids must not hammer the database. */
const RELOAD_INTERVAL_MS = 5_000;

interface LoadedKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly publicKey: CryptoKey;
  /** null when it was sealed under another JWT_SECRET: such a key still verifies, never signs. */
  readonly privateKey: CryptoKey | null;
  /** Epoch ms from which it signs; before that it is only published. */
  readonly signsFrom: number;
}

/**
 * A key id: 96 random bits in hex. Not base64url: an id starting with '-' (one in 64 of those)
 * reads as an option on the command line (`gatehouse keys retire -E-K…` failed).
 */
export function newKid(): string {
  return randomBytes(12).toString('hex');
}

/**
 * Adds a signing key. It is published at once and signs after `signsAfterSeconds` (a rotation
 * waits out every verifier's cached JWKS; the first key signs at once). Older keys keep
 * verifying until they are retired.
 */
export async function createSigningKey(db: Db, algorithm: AsymmetricAlgorithm, secret: string, signsAfterSeconds = 0): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm === 'EdDSA' ? 'Ed25519' : 'ES256', { extractable: true });
  const kid = newKid();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const privateJwk = await exportJWK(privateKey);
  await insertSigningKey(db, { kid, alg: algorithm, publicJwk, privateJwkEncrypted: encryptSecret(secret, JSON.stringify(privateJwk)), signsAfterSeconds });
  return kid;
}

async function openPrivateKey(sealed: string, algorithm: AsymmetricAlgorithm, secret: string): Promise<CryptoKey | null> {
  try {
    return (await importJWK(JSON.parse(decryptSecret(secret, sealed)) as JWK, algorithm)) as CryptoKey;
  } catch {
    return null;
  }
}

async function loadKey(row: SigningKeyRow, algorithm: AsymmetricAlgorithm, secret: string): Promise<LoadedKey> {
  const publicJwk = row.public_jwk as JWK;
  return {
    kid: row.kid,
    publicJwk,
    publicKey: (await importJWK(publicJwk, algorithm)) as CryptoKey,
    privateKey: await openPrivateKey(row.private_jwk_encrypted, algorithm, secret),
    signsFrom: row.signs_from.getTime(),
  };
}

export interface KeyRingOptions {
  /** Re-read the table this often, so a rotation or retirement reaches every instance. */
  readonly reloadMs: number;
  readonly now?: () => number;
}

export function createKeyRing(db: Db, algorithm: AsymmetricAlgorithm, secret: string, options: KeyRingOptions): KeyRing {
  const now = options.now ?? Date.now;
  let keys: LoadedKey[] | null = null;
  let lastLoad = 0;

  async function readKeys(): Promise<LoadedKey[]> {
    let loaded = await Promise.all((await liveSigningKeys(db, algorithm)).map((row) => loadKey(row, algorithm, secret)));
    if (!loaded.some((key) => key.privateKey !== null)) {
      // First use, or JWT_SECRET changed: make a key this instance can sign with.
      await createSigningKey(db, algorithm, secret);
      loaded = await Promise.all((await liveSigningKeys(db, algorithm)).map((row) => loadKey(row, algorithm, secret)));
    }
    return loaded;
  }

  // Concurrent requests that find the keys stale share one read.
  let loading: Promise<LoadedKey[]> | null = null;
  function reload(): Promise<LoadedKey[]> {
    lastLoad = now();
    loading ??= readKeys()
      .then((loaded) => (keys = loaded))
      .finally(() => (loading = null));
    return loading;
  }

  async function current(): Promise<LoadedKey[]> {
    if (keys === null || now() - lastLoad >= options.reloadMs) return reload();
    return keys;
  }

  return {
    algorithm,
    async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
      const openable = (await current()).filter((key) => key.privateKey !== null);
      // The newest key whose publication time is over; a key still only published waits.
      const time = now();
      const signer = openable.find((key) => key.signsFrom <= time) ?? openable.at(-1);
      if (signer?.privateKey === undefined || signer.privateKey === null) throw new Error('no signing key');
      return { kid: signer.kid, key: signer.privateKey };
    },
    async verificationKey(kid: string): Promise<CryptoKey | null> {
      let found = (await current()).find((key) => key.kid === kid);
      if (found === undefined && now() - lastLoad >= RELOAD_INTERVAL_MS) found = (await reload()).find((key) => key.kid === kid);
      return found?.publicKey ?? null;
    },
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: (await current()).map((key) => key.publicJwk) };
    },
  };
}
