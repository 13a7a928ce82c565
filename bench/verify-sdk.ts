/**
 * The bench's V1: @gatehouse/verify's verify() per second for each algorithm, against the floor,
 * bare `jose.jwtVerify` with the key in hand on the same token (the least any verifier can do).
 * In-process, one verification at a time, A/B alternated, medians. The JWKS verifier fetches the
 * set from a local server once and then works from its cache, as in production.
 */
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type KeyObject } from 'jose';
import { createVerifier, type Verifier } from '@gatehouse/verify';
import { median } from './lib/load.ts';

export interface VerifyRow {
  readonly algorithm: 'HS256' | 'ES256' | 'EdDSA';
  readonly ours: number;
  readonly floor: number;
}

const ISSUER = 'https://bench.gatehouse.test';
const USER = '0190c9e4-0000-7000-8000-000000000001';

async function perSecond(ms: number, work: () => Promise<unknown>): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  const started = performance.now();
  while (performance.now() < until) {
    await work();
    done += 1;
  }
  return done / ((performance.now() - started) / 1000);
}

async function token(alg: string, key: CryptoKey | KeyObject, kid?: string): Promise<string> {
  const claims = {
    user_id: USER,
    email: 'ada@example.org',
    roles: ['member', 'active'],
    organizers: { '0190c9e4-0000-7000-8000-0000000000aa': 'admin' },
    sid: USER,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
    .setSubject(USER)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

async function measure(
  algorithm: VerifyRow['algorithm'],
  ms: number,
  rounds: number,
  verifier: Verifier,
  jwt: string,
  floorKey: CryptoKey | KeyObject,
): Promise<VerifyRow> {
  const floor = (): Promise<unknown> => jwtVerify(jwt, floorKey, { algorithms: [algorithm], issuer: ISSUER });
  const ours = (): Promise<unknown> => verifier.verify(jwt);
  await perSecond(ms, floor);
  await perSecond(ms, ours);
  const a: number[] = [];
  const b: number[] = [];
  // The order alternates by round, so a drift of the machine's speed during a run (this 2-core
  // machine has neighbours) weighs on both sides alike.
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      a.push(await perSecond(ms, ours));
      b.push(await perSecond(ms, floor));
    } else {
      b.push(await perSecond(ms, floor));
      a.push(await perSecond(ms, ours));
    }
  }
  return { algorithm, ours: median(a), floor: median(b) };
}

export async function verifySdk(ms: number, rounds: number): Promise<VerifyRow[]> {
  const secret = 'b'.repeat(40);
  const secretKey = createSecretKey(Buffer.from(secret, 'utf8'));
  const rows = [await measure('HS256', ms, rounds, createVerifier({ issuer: ISSUER, secret }), await token('HS256', secretKey), secretKey)];

  const pairs = { ES256: await generateKeyPair('ES256'), EdDSA: await generateKeyPair('EdDSA', { crv: 'Ed25519' }) };
  const keys = await Promise.all(Object.entries(pairs).map(async ([alg, pair]) => ({ ...(await exportJWK(pair.publicKey)), kid: alg, alg })));
  const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    for (const algorithm of ['ES256', 'EdDSA'] as const) {
      const pair = pairs[algorithm];
      rows.push(
        await measure(algorithm, ms, rounds, createVerifier({ issuer: ISSUER, jwksUrl }), await token(algorithm, pair.privateKey, algorithm), pair.publicKey),
      );
    }
  } finally {
    server.close();
  }
  return rows;
}
