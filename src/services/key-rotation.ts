/**
 * Rotating the asymmetric signing keys without logging anybody out (`gatehouse keys …`):
 * rotate adds a key that is published at once and signs once every cached JWKS has expired; the old key
 * keeps verifying until it is retired; retire refuses while tokens the old key may have signed
 * are still valid (unless forced), and never retires the key that signs now. Refresh tokens do
 * not depend on these keys, so even a forced retirement only costs clients one refresh.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { allSigningKeys, markSigningKeyRetired, type SigningKeySummary } from '../queries/signing-keys.ts';
import { createSigningKey, type AsymmetricAlgorithm } from './signing-keys.ts';

export class KeyRotationError extends Error {
  override readonly name = 'KeyRotationError';
}

function asymmetricAlgorithm(config: Config): AsymmetricAlgorithm {
  if (config.jwtAlgorithm === 'HS256') {
    throw new KeyRotationError(
      'JWT_ALGORITHM is HS256: tokens are signed with JWT_SECRET, not with rotating keys. Set JWT_ALGORITHM=EdDSA (or ES256) to use keys; see docs/operations.md',
    );
  }
  return config.jwtAlgorithm;
}

export async function listSigningKeys(db: Db): Promise<SigningKeySummary[]> {
  return allSigningKeys(db);
}

/**
 * How long a rotated key is only published before it signs: a verifier may serve the JWKS from
 * its cache for JWKS_MAX_AGE_SECONDS, and an instance sees a new key only at its next reload.
 */
export function publishLeadSeconds(config: Config): number {
  return config.operations.jwksMaxAgeSeconds + config.operations.signingKeyReloadSeconds;
}

/** Adds a new signing key for the configured algorithm (published now, signing after the lead); returns its kid. */
export async function rotateSigningKey(db: Db, config: Config): Promise<string> {
  return createSigningKey(db, asymmetricAlgorithm(config), config.jwtSecret, publishLeadSeconds(config));
}

/**
 * The moment after which no valid access token can carry a key superseded by `newest`: `newest`
 * signs (signs_from), and every token signed before that has expired (ACCESS_TOKEN_TTL).
 */
export function safeToRetireAt(newest: SigningKeySummary, config: Config): Date {
  return new Date(newest.signs_from.getTime() + config.accessTokenTtl * 1000);
}

export async function retireSigningKey(db: Db, config: Config, kid: string, options: { force: boolean; now?: Date }): Promise<void> {
  const algorithm = asymmetricAlgorithm(config);
  const live = (await allSigningKeys(db)).filter((key) => key.alg === algorithm && key.retired_at === null);
  const target = live.find((key) => key.kid === kid);
  if (target === undefined) throw new KeyRotationError(`No live ${algorithm} key with kid ${kid} (see: gatehouse keys list)`);
  const newest = live[0];
  if (newest === undefined || newest.kid === kid) throw new KeyRotationError(`Key ${kid} is the one that signs now: run "gatehouse keys rotate" first`);
  const safeAt = safeToRetireAt(newest, config);
  if (!options.force && (options.now ?? new Date()) < safeAt) {
    throw new KeyRotationError(
      `Tokens signed with ${kid} may still be valid until ${safeAt.toISOString()}; retire it after that, or pass --force (holders of such tokens then refresh once)`,
    );
  }
  if (!(await markSigningKeyRetired(db, kid))) throw new KeyRotationError(`Key ${kid} was retired meanwhile`);
}
