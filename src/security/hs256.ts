/**
 * HS256 verification with node:crypto, for the request path of every authenticated call.
 * jose 6 verifies through WebCrypto: it turns the key into a CryptoKey and queues an async job on
 * the thread pool for each token, which was a fifth of Gatehouse's CPU under GET /me (bench W1,
 * `node --cpu-prof`). Here it is one synchronous HMAC and a constant-time compare, and signing is
 * one HMAC too (signHs256). jose signs and verifies EdDSA/ES256 tokens; test/hs256.test.ts checks
 * this module against jose and RFC 7515.
 *
 * Strict on purpose: exactly three canonical base64url segments, a JSON-object header with
 * alg HS256 and no `crit` or `b64` (extensions we do not implement must not be ignored), a
 * 32-byte signature, and a JSON-object payload whose exp, nbf and iat are numbers.
 */
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

export type JsonObject = Record<string, unknown>;

export interface VerifiedJwt {
  readonly header: JsonObject;
  readonly payload: JsonObject;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

function decodeObject(segment: string): JsonObject | null {
  if (!SEGMENT.test(segment)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** A compact HS256 JWS of `payload` with the header {"alg":"HS256","typ":"JWT"}. */
export function signHs256(payload: JsonObject, key: KeyObject): string {
  const input = `${HS256_HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/** Signature and structure only; the caller checks the claims' meaning. */
export function verifyHs256Signature(token: string, key: KeyObject): VerifiedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = parts;
  const header = decodeObject(headerSegment);
  if (header === null || header.alg !== 'HS256' || 'crit' in header || 'b64' in header) return null;
  if (!SEGMENT.test(signatureSegment)) return null;
  const signature = Buffer.from(signatureSegment, 'base64url');
  // One spelling per signature: base64url with stray low bits would decode to the same bytes.
  if (signature.length !== SIGNATURE_BYTES || signature.toString('base64url') !== signatureSegment) return null;
  const expected = createHmac('sha256', key).update(`${headerSegment}.${payloadSegment}`).digest();
  // Constant-time: the expected MAC is secret until it matches.
  if (!timingSafeEqual(signature, expected)) return null;
  const payload = decodeObject(payloadSegment);
  return payload === null ? null : { header, payload };
}

/** The registered time claims, as jose checks them (no clock tolerance): exp required. */
export function timeClaimsValid(payload: JsonObject, nowSeconds: number): boolean {
  const { exp, nbf, iat } = payload;
  if (typeof exp !== 'number' || !(nowSeconds < exp)) return false;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) return false;
  return iat === undefined || typeof iat === 'number';
}
