/**
 * The baseline: bare Fastify that does the least an authenticated read can do — verify the same
 * kind of JWT (HS256, same secret) and read one user row by primary key from the same database —
 * and answers with a body of the same size as Gatehouse's /me (BODY_SIZE).
 *
 * VERIFY=jose (the baseline): jose's jwtVerify, as a bare service would call it.
 * VERIFY=hmac (the stricter one): the synchronous node:crypto check Gatehouse itself uses
 * (src/security/hs256.ts), so the comparison is not won on JWT verification alone.
 */
import { createSecretKey } from 'node:crypto';
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { timeClaimsValid, verifyHs256Signature } from '../../src/security/hs256.ts';

const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
const secretKey = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'utf8'));
const useHmac = process.env.VERIFY === 'hmac';

async function subjectOf(token: string): Promise<string | null> {
  if (useHmac) {
    const verified = verifyHs256Signature(token, secretKey);
    return verified !== null && timeClaimsValid(verified.payload, Math.floor(Date.now() / 1000)) ? String(verified.payload.sub) : null;
  }
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    return String(payload.sub);
  } catch {
    return null;
  }
}
const bodySize = Number(process.env.BODY_SIZE ?? '200');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get('/readyz', async () => ({ status: 'ready' }));

app.get('/me', async (request, reply) => {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  const sub = await subjectOf(token);
  if (sub === null) return reply.code(401).send({ detail: 'Not authenticated' });
  const result = await pool.query<{ uuid: string; email: string; name: string | null }>('select uuid, email, name from users where uuid = $1', [sub]);
  const user = result.rows[0];
  if (user === undefined) return reply.code(401).send({ detail: 'Not authenticated' });
  const body = JSON.stringify({ uuid: user.uuid, email: user.email, name: user.name, role: 'user', memberships: [], pad: '' });
  return reply.type('application/json').send(body.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, bodySize - body.length))}"`));
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
