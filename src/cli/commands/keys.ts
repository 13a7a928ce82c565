/** `keys list|rotate|retire`: the asymmetric signing keys (JWT_ALGORITHM EdDSA or ES256). */
import type { Command } from 'commander';
import { listSigningKeys, retireSigningKey, rotateSigningKey, safeToRetireAt } from '../../services/key-rotation.ts';
import { withDatabase } from '../context.ts';
import { out } from '../io.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('rotate and retire the signing keys of EdDSA/ES256 access tokens');
  keys
    .command('list')
    .description('every key, newest first: kid, algorithm, created, state (live, published and waiting to sign, retired)')
    .action(async () => {
      await withDatabase(async ({ db }) => {
        for (const key of await listSigningKeys(db)) {
          const state =
            key.retired_at !== null
              ? `retired ${key.retired_at.toISOString()}`
              : key.signs_from > new Date()
                ? `published, signs from ${key.signs_from.toISOString()}`
                : 'live';
          out(`${key.kid}\t${key.alg}\t${key.created_at.toISOString()}\t${state}`);
        }
      });
    });
  keys
    .command('rotate')
    .description('add a new signing key: published in the JWKS now, signing once every cached JWKS has expired; old keys keep verifying')
    .action(async () => {
      await withDatabase(async ({ db, config }) => {
        const kid = await rotateSigningKey(db, config);
        const newest = (await listSigningKeys(db)).find((key) => key.kid === kid);
        if (newest !== undefined)
          out(
            `Added signing key ${kid}: published in the JWKS now, signing from ${newest.signs_from.toISOString()} (after JWKS_MAX_AGE_SECONDS + SIGNING_KEY_RELOAD_SECONDS).`,
          );
        if (newest !== undefined) out(`Older keys can be retired after ${safeToRetireAt(newest, config).toISOString()}: gatehouse keys retire <kid>`);
      });
    });
  keys
    .command('retire')
    .argument('<kid>')
    .option('--force', 'retire even though tokens it signed may still be valid (their holders refresh once)')
    .description('stop accepting tokens signed with this key and remove it from the JWKS')
    .action(async (kid: string, options: { force?: boolean }) => {
      await withDatabase(async ({ db, config }) => {
        await retireSigningKey(db, config, kid, { force: options.force === true });
        out(`Retired signing key ${kid}. Instances stop accepting it within ${config.operations.signingKeyReloadSeconds} s.`);
      });
    });
}
